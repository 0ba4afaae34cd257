"""The goal from speech, for `steward run --audio FILE` and `--listen`.

The offline recogniser is biased with the skill catalog's words. What was heard is always
printed; at a terminal the person confirms it with a yes/no before anything moves
(recognisers confuse "on" and "off" at the end of a sentence, which no confidence score
flags). Without a terminal, a transcript inside the command grammar is used as heard, and
a free guess outside it is refused.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.prompt import Confirm

from agent.errors import SpeechInputError
from agent.speech import ServerSettings, Transcript, listen, transcribe_file


def heard_goal(args: argparse.Namespace, console: Console) -> str:
    """Transcribe `--audio FILE` or one `--listen` recording; confirm a free guess."""
    if args.listen:
        console.print("[bold]listening[/]: say the goal, then pause")
        heard = listen(backend=args.transcriber, server=_server(args))
    else:
        heard = transcribe_file(args.audio, backend=args.transcriber, server=_server(args))
    return confirmed(heard, console)


def _server(args: argparse.Namespace) -> ServerSettings | None:
    if args.transcriber != "openai":
        return None
    return ServerSettings(base_url=args.base_url, api_key=args.api_key)


def confirmed(heard: Transcript, console: Console) -> str:
    """The transcript's text, confirmed by the person when there is a terminal to ask."""
    console.print(f"[bold]heard[/] ({heard.backend}): {heard.text!r}", highlight=False)
    if sys.stdin.isatty():
        if not Confirm.ask("Is that the goal?", console=console, default=False):
            msg = "the transcript was not confirmed; say the goal again or type it"
            raise SpeechInputError(msg)
        return heard.text
    if heard.needs_confirmation:
        msg = (
            f"the recogniser guessed {heard.text!r} outside the command grammar and there is "
            "no terminal to confirm it; speak a command like 'open the microwave' or type it"
        )
        raise SpeechInputError(msg)
    return heard.text
