"""RFC 6962 Merkle tree over the log's records, and inclusion proofs for one record.

Leaf hash = SHA-256(0x00 || record bytes); node hash = SHA-256(0x01 || left || right);
the tree over n leaves splits at the largest power of two below n (RFC 6962 section 2.1).
An inclusion proof lets a reviewer check one record against a published root without
reading the rest of the log; verification follows RFC 9162 section 2.1.3.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of a tree with no leaves."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash of one record's bytes."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """Merkle tree hash over leaf hashes (not raw records)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root_hash(leaves[:k]), root_hash(leaves[k:]))


def inclusion_path(index: int, leaves: Sequence[bytes]) -> tuple[bytes, ...]:
    """The audit path for leaf `index`, ordered from the leaf up (RFC 6962 PATH)."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf index {index} is outside a tree of {len(leaves)} leaves")
    if len(leaves) == 1:
        return ()
    k = _split(len(leaves))
    if index < k:
        return (*inclusion_path(index, leaves[:k]), root_hash(leaves[k:]))
    return (*inclusion_path(index - k, leaves[k:]), root_hash(leaves[:k]))


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """Whether `leaf` sits at `index` of the tree of `size` leaves with hash `root`."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


class MerkleAccumulator:
    """Running root of an append-only tree in O(log n) memory per append.

    Keeps the roots of the perfect subtrees that make up the tree, largest first; the
    tree hash folds them from the right, which is what RFC 6962's split produces.
    """

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self._size = 0
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash."""
        self._size += 1
        size, digest = 1, leaf
        while self._stack and self._stack[-1][0] == size:
            left_size, left = self._stack.pop()
            size, digest = left_size + size, node_hash(left, digest)
        self._stack.append((size, digest))

    def root(self) -> bytes:
        """The tree hash over every leaf appended so far."""
        if not self._stack:
            return EMPTY_ROOT
        digest = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            digest = node_hash(left, digest)
        return digest


@dataclass(frozen=True, slots=True, kw_only=True)
class InclusionProof:
    """Proof that the record `seq` is leaf `seq` of the tree of `tree_size` records.

    Hashes are lower-case hex. A reviewer checks it with `verify()` and the record's
    exact line bytes, against a root obtained independently of the log.
    """

    seq: int
    tree_size: int
    leaf_hash: str
    path: tuple[str, ...]
    root_hash: str

    def verify(self, record_bytes: bytes, root_hex: str | None = None) -> bool:
        """Whether `record_bytes` is in the tree with `root_hex` (default: this proof's root)."""
        leaf = leaf_hash(record_bytes)
        if leaf.hex() != self.leaf_hash:
            return False
        root = bytes.fromhex(root_hex if root_hex is not None else self.root_hash)
        path = tuple(bytes.fromhex(p) for p in self.path)
        return verify_inclusion(self.seq, self.tree_size, leaf, path, root)
