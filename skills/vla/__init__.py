"""Learned vision-language-action skills: record demonstrations, train, run, serve.

Importing the package registers the `vla` and `openpi` backends of every kitchen skill
(`skills.vla.backends`); torch, pyarrow and websockets load only when a backend runs or
a command needs them.
"""

import skills.vla.backends  # noqa: F401 - registers the backends on import
