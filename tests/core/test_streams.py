"""Compressed reading: cut files keep every decodable byte, read-ahead blocks, truncation errors."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from corpuslab.core.errors import DataError
from corpuslab.core.shards import iter_records


def test_truncated_gzip_is_a_data_error(tmp_path: Path) -> None:
    p = tmp_path / "t.jsonl.gz"
    with gzip.open(p, "wt") as fh:
        for i in range(20000):
            fh.write(f'{{"text": "{i} {os.urandom(8).hex()}"}}\n')
    p.write_bytes(p.read_bytes()[:-2000])
    with pytest.raises(DataError, match="truncated"):
        list(iter_records(p))


def test_read_blocks_same_bytes_errors_at_their_block_and_early_close_joins(tmp_path: Path) -> None:
    import contextlib
    import threading

    from corpuslab.core.streams import open_read, read_blocks

    data = os.urandom(300_000)
    p = tmp_path / "x.bin.gz"
    p.write_bytes(gzip.compress(data))
    with open_read(p) as fh:
        blocks = list(read_blocks(fh, 65_536))
    assert b"".join(blocks) == data and [len(b) for b in blocks[:-1]] == [65_536] * (len(blocks) - 1)
    cut = tmp_path / "cut.bin.gz"
    cut.write_bytes(p.read_bytes()[:150_000])
    got = []
    with open_read(cut) as fh, pytest.raises(EOFError):  # the decompressor's own error, raised in this thread
        for b in read_blocks(fh, 65_536):
            got.append(b)
    assert 0 < len(b"".join(got)) < len(data) and data.startswith(b"".join(got))  # what came before is intact
    before = {t for t in threading.enumerate() if t.name == "corpuslab-read-ahead"}
    with open_read(p) as fh, contextlib.closing(read_blocks(fh, 1024, prefetch=1)) as it:
        assert len(next(it)) == 1024  # stop after one block: the reader thread is stopped and joined on close
    assert {t for t in threading.enumerate() if t.name == "corpuslab-read-ahead"} == before == set()


def test_open_read_bz2_hands_out_every_decodable_byte_before_a_cut(tmp_path):
    import bz2

    from corpuslab.core.streams import open_read

    data = b"".join(b'{"id": %d, "text": "line %d"}\n' % (i, i * 7919 % 10007) for i in range(60_000))
    comp = bz2.compress(data, 1)  # 100 KB blocks: several per file
    cut = tmp_path / "cut.jsonl.bz2"
    cut.write_bytes(comp[: len(comp) * 6 // 10])
    decodable = bz2.BZ2Decompressor().decompress(cut.read_bytes())  # all a decoder can get out
    got = bytearray()
    with open_read(cut) as fh:
        try:
            while block := fh.read(1 << 16):
                got += block
            raise AssertionError("no error at the cut")
        except EOFError:
            pass
    assert len(decodable) > 0 and bytes(got) == decodable == data[: len(decodable)]
    whole = tmp_path / "two.jsonl.bz2"  # two streams, then zero padding: read through, no error
    whole.write_bytes(bz2.compress(data[:1000]) + bz2.compress(data[1000:]) + b"\0" * 32)
    with open_read(whole) as fh:
        assert fh.read() == data
