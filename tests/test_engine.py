import multiprocessing as mp

from corpuslab.engine import imap_bounded


def _square(x: int) -> int:
    return x * x


def test_imap_bounded_keeps_order_and_pulls_input_lazily():
    pulled: list[int] = []

    def items():
        for i in range(50):
            pulled.append(i)
            yield i

    with mp.get_context("fork").Pool(2) as pool:
        out = []
        for k, r in enumerate(imap_bounded(pool, _square, items(), window=4)):
            # when result k is handed back, at most window inputs beyond it have been read
            assert len(pulled) <= k + 4
            out.append(r)
    assert out == [i * i for i in range(50)]
