"""The Merkle tree matches RFC 6962's reference vectors; proofs verify and catch tampering."""

from __future__ import annotations

import pytest

from safety.steplog.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    inclusion_path,
    leaf_hash,
    root_hash,
    verify_inclusion,
)
from safety.steplog.proof import prove_record
from safety.steplog.storage import RunPaths

# Certificate Transparency's RFC 6962 test data: the eight leaves and the root of each prefix.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PATHS = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
]
HASHED = [leaf_hash(d) for d in CT_LEAVES]


@pytest.mark.parametrize("size", range(9))
def test_root_of_each_prefix_matches_rfc6962(size: int) -> None:
    assert root_hash(HASHED[:size]).hex() == CT_ROOTS[size]
    assert MerkleAccumulator(HASHED[:size]).root().hex() == CT_ROOTS[size]


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert root_hash([]) == EMPTY_ROOT


@pytest.mark.parametrize(("index", "size", "path"), CT_PATHS)
def test_inclusion_paths_match_rfc6962(index: int, size: int, path: list[str]) -> None:
    got = inclusion_path(index, HASHED[:size])
    assert [p.hex() for p in got] == path
    assert verify_inclusion(index, size, HASHED[index], got, bytes.fromhex(CT_ROOTS[size]))


def test_every_proof_verifies_and_any_change_breaks_it() -> None:
    """Proofs hold in every tree shape up to 20 leaves; a wrong leaf or index fails."""
    leaves = [leaf_hash(bytes([i])) for i in range(20)]
    for size in range(1, 21):
        root = root_hash(leaves[:size])
        for i in range(size):
            path = inclusion_path(i, leaves[:size])
            assert verify_inclusion(i, size, leaves[i], path, root)
            assert not verify_inclusion(i, size, leaf_hash(b"forged"), path, root)
            if size > 1:
                assert not verify_inclusion((i + 1) % size, size, leaves[i], path, root)


def test_out_of_range_index_is_refused() -> None:
    with pytest.raises(IndexError, match="outside a tree of 3 leaves"):
        inclusion_path(3, HASHED[:3])
    assert not verify_inclusion(3, 3, HASHED[0], (), EMPTY_ROOT)


def test_one_record_of_a_run_is_proved_against_the_head(demo: RunPaths) -> None:
    """A reviewer checks record 7 (the denial) with its bytes, the proof and the root only."""
    raw, proof = prove_record(demo.root, demo.run_id, 7)
    head_root = demo.head.read_text().split('"root_hash":"')[1][:64]
    assert proof.root_hash == head_root
    assert b'"deny"' in raw
    assert proof.verify(raw, head_root)
    assert not proof.verify(raw.replace(b'"deny"', b'"allow"'), head_root)
    assert not proof.verify(raw, "0" * 64)
