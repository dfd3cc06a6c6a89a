"""The credentials note says where credentials are kept; it refuses anything like a secret."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

# "password: x", "pwd=x", "api key: x", "recovery codes - x": a label followed by a value.
_LABELLED_SECRET = re.compile(
    r"\b(?:pass(?:word|wd|code|phrase)?|pwd|pw|pin|secret|token|api[\s_-]?key|"
    r"(?:recovery|backup|2fa|mfa)[\s_-]?codes?|otp)\s*(?:[:=]|-\s|is\s+(?!in\b|kept\b|stored\b|"
    r"held\b|managed\b|with\b|on\b|at\b|the\b|a\b|our\b|available\b|saved\b|not\b|"
    r"shared\b|rotated\b|changed\b|reset\b)\S)",
    re.IGNORECASE,
)
_WORD_SPLIT = re.compile(r"[\s,;()\[\]{}<>\"']+")
_CLASSES = (str.islower, str.isupper, str.isdigit)


def _char_class(ch: str) -> int:
    for index, test in enumerate(_CLASSES):
        if test(ch):
            return index
    return len(_CLASSES)


def _entropy(word: str) -> float:
    counts = Counter(word)
    return -sum(n / len(word) * math.log2(n / len(word)) for n in counts.values())


def looks_like_secret_token(word: str) -> bool:
    """A long word that looks generated: mixed letters and digits, changing character class
    often, with high per-character entropy (vault names and words do not)."""
    word = word.strip(".:!?")
    if len(word) < 10 or word.lower().startswith(("http://", "https://")):
        return False
    has_letter = any(ch.isalpha() for ch in word)
    digits = sum(ch.isdigit() for ch in word)
    has_digit = digits > 0
    if not (has_letter and (has_digit or any(not ch.isalnum() for ch in word))):
        return False
    switches = sum(1 for a, b in itertools.pairwise(word) if _char_class(a) != _char_class(b))
    ratio = switches / (len(word) - 1)
    if len(word) >= 20 and has_digit and _entropy(word) >= 3.5:
        return True
    return digits >= 2 and ratio >= 0.45 and _entropy(word) >= 3.0


def secret_problem(text: str) -> str | None:
    """Why `text` looks like it contains a password or secret, or None when it does not."""
    if _LABELLED_SECRET.search(text or ""):
        return (
            "That looks like a password or secret. Say where the credentials are kept "
            '(for example "team password manager, folder Parks"), never the secret itself.'
        )
    for word in _WORD_SPLIT.split(text or ""):
        if looks_like_secret_token(word):
            return (
                "That contains something that looks like a password or token. Say where "
                "the credentials are kept, never the secret itself."
            )
    return None
