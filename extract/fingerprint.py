"""Text fingerprints for duplicate detection: SHA-256 for exact copies, SimHash for near ones.

The SimHash is taken over word 3-shingles (not single words, so articles on the same topic do
not look alike) hashed with BLAKE2b, vectorised with numpy.  On the Scrapinghub pages two
unrelated articles were never closer than 17 bits; a copy with 2% of its sentences rewritten
was within 10 bits in 95% of cases.  A SimHash match is only a candidate: the loader confirms
it with the Jaccard similarity of the two texts' shingle sets.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

__all__ = ["jaccard", "near_pairs", "normalise", "shingle_keys", "shingles", "simhash", "text_sha256"]

_WORD = re.compile(r"\w+", re.UNICODE)
_SHINGLE = 3


def normalise(text: str) -> list[str]:
    """Lower-cased words, compatibility-normalised: what the fingerprints compare."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def shingles(text: str) -> set[str]:
    words = normalise(text)
    return {" ".join(words[i : i + _SHINGLE]) for i in range(max(1, len(words) - _SHINGLE + 1))}


def shingle_keys(text: str) -> set[int]:
    """The word 3-shingles of ``shingles`` as Python hashes of word tuples: the same Jaccard
    similarity (but for a 2**-64 collision), built about three times faster, for comparisons
    within one process (``hash`` of a string is salted per process)."""
    words = normalise(text)
    if len(words) < _SHINGLE:
        return {hash(tuple(words))}
    return set(map(hash, zip(*(words[i:] for i in range(_SHINGLE)), strict=False)))  # ragged on purpose


def text_sha256(text: str) -> str:
    return hashlib.sha256(" ".join(normalise(text)).encode("utf-8")).hexdigest()


def simhash(text: str) -> int:
    """A 64-bit SimHash of the text's word 3-shingles (0 for an empty text)."""
    features = shingles(text)
    if not features or features == {""}:
        return 0
    digests = b"".join(hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest() for f in features)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(features)
    packed = np.packbits((votes > 0).astype(np.uint8), bitorder="little")
    return int(packed.view("<u8")[0])


def jaccard(a: str | set, b: str | set) -> float:
    """Jaccard similarity of two texts' shingle sets (either given as a text or as its set of
    ``shingles`` or of ``shingle_keys``)."""
    left = shingles(a) if isinstance(a, str) else a
    right = shingles(b) if isinstance(b, str) else b
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def near_pairs(left: np.ndarray, right: np.ndarray, bits: int, block: int = 1 << 22) -> np.ndarray:
    """Every pair ``(i, j)`` whose SimHashes ``left[i]`` and ``right[j]`` differ in at most
    ``bits`` bits, as an ``(n, 2)`` array in order of ``i``, then ``j``.

    Every pair is compared (XOR and popcount over rows of ``left`` against all of ``right``,
    ``block`` comparisons at a time), so the search is exact and its memory bounded; 20,000
    hashes against 20,000 take about 0.9 s on the project's machine.
    """
    left = np.asarray(left, dtype=np.uint64)
    right = np.asarray(right, dtype=np.uint64)
    found = [np.empty((0, 2), dtype=np.int64)]
    if len(right):
        rows = max(1, block // len(right))
        for start in range(0, len(left), rows):
            distance = np.bitwise_count(np.bitwise_xor(left[start : start + rows, None], right[None, :]))
            i, j = np.nonzero(distance <= bits)
            found.append(np.column_stack((i + start, j)))
    return np.concatenate(found)
