"""Synthetic staff-forum prose: Zipf-distributed words and Markdown with links, lists, code,
quotes, @mentions and #tags, all from one seeded random generator (same seed, same text)."""

from __future__ import annotations

import bisect
import itertools
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from whoosh.lang.porter import stem

# The most frequent words, roughly in the order a council staff forum uses them: function words
# mixed with the nouns and verbs of the trade, so a word with any document frequency exists.
HEAD = """
the to and a of we in is it team for that on i you this with our post was be have are they
but not as at so can if what just do about from all one my will page had people there when
would out up new them more time how an get has been some week like or which their by
account service residents thanks campaign council reply post today know think could use
also make did your work any see only then now day other into no us me good first last
really help after back over were need still very same over much want way here where
comments video website update month public agreed going staff housing library park
bins change data share launch asked found before because while again form since
report number look meeting should two three best those both draft plan messages
question fixed issue problem ask tried seems worked try budget social channel
email guidance manager approval audience followers engagement schedule content
photo image caption alt text accessibility plain english contrast template brand
tone voice complaint feedback survey consultation event volunteers press release
story win failure fix lesson idea risk deadline rota weekend crisis incident
response escalation senior officer department director policy procedure process
tool spreadsheet dashboard analytics metrics reach clicks shares views signups
evening morning afternoon friday monday tuesday wednesday thursday yesterday tomorrow
quick small big long short clear simple hard easy useful helpful great nice
council's service's resident's working posting planning sharing checking reading
writing looking waiting trying using making moved sent added removed replied
posted scheduled checked read wrote called agreed approved launched paused
recycling collection council tax benefits parking permits potholes libraries
leisure centre pool parks events festival consultation planning licensing
elections registration voting births deaths marriages adoption fostering schools
admissions transport roads gritting flooding trees allotments cemeteries noise
pest control graffiti fly tipping street lighting markets business rates grants
"""

CONSONANTS = "bcdfghjklmnprstvwz"
VOWELS = "aeiou"
# Whoosh drops these (whoosh.analysis.STOP_WORDS); never offered as search words.
_STOP_WORDS = """a an and are as at be by can for from have if in is it may not of on or tbd that
the this to us we when will with yet you your"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_FIRST_NAMES = """ada priya tom grace sam lena omar mia jack nia ben zoe arjun chloe david ella
felix hana ivan jade kofi lucy marta noah olga pavel quinn rosa sanjay tara umar vera wen
xavier yara zain amir bella carlos dina eli fatima george holly isaac"""
_LAST_NAMES = """okafor shah hughes lee riley fischer haddad evans turner roberts carter martin
patel wright kim morgan brown suzuki novak diaz ahmed byrne costa dubois edwards"""
FIRST_NAMES = _FIRST_NAMES.split()
LAST_NAMES = _LAST_NAMES.split()

_TAGS = """bins recycling housing libraries parks events accessibility alt-text video
captions scheduling analytics crisis press consultation budget elections planning
licensing parking transport schools social-media newsletter website forms surveys
volunteers brand templates tone-of-voice complaints feedback security passwords
two-factor facebook instagram x linkedin youtube tiktok nextdoor whatsapp email
sms maps photos design canva hootsuite metrics reports rota training onboarding
lessons-learned wins"""
TAGS = _TAGS.split()

LANGUAGES = ("python", "sql", "bash", "json", "text")


@dataclass(frozen=True)
class Body:
    """One post's Markdown source and the @handles it mentions."""

    source: str
    mentions: tuple[str, ...]


def pseudo_words(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    """`count` new pronounceable words (2-4 syllables) for the vocabulary's long tail."""
    words: list[str] = []
    while len(words) < count:
        syllables = rng.choice((2, 2, 3, 3, 3, 4))
        word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))
        if rng.random() < 0.4:
            word += rng.choice("nrstl")
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


class Vocabulary:
    """Words ranked by frequency with Zipf weights 1/rank**exponent; sampled in O(log n)."""

    def __init__(self, rng: random.Random, size: int = 20_000, exponent: float = 1.1) -> None:
        head = list(dict.fromkeys(HEAD.split()))
        self.words = head + pseudo_words(size - len(head), rng, set(head))
        weights = [1 / (rank**exponent) for rank in range(1, len(self.words) + 1)]
        self._cumulative = list(itertools.accumulate(weights))
        self._total = self._cumulative[-1]

    def word(self, rng: random.Random) -> str:
        index = bisect.bisect_left(self._cumulative, rng.random() * self._total)
        return self.words[min(index, len(self.words) - 1)]


class ProseWriter:
    """Titles and Markdown bodies for a forum whose people have the given @handles."""

    def __init__(self, rng: random.Random, vocabulary: Vocabulary, handles: Sequence[str]):
        self.rng = rng
        self.vocabulary = vocabulary
        self.handles = list(handles)

    def _words(self, count: int) -> list[str]:
        return [self.vocabulary.word(self.rng) for _ in range(count)]

    def _sentence(self, count: int, mentions: list[str]) -> str:
        rng = self.rng
        words = self._words(count)
        roll = rng.random()
        at = rng.randrange(len(words))
        if roll < 0.05:
            words[at] = f"**{words[at]}**"
        elif roll < 0.09:
            words[at] = f"*{words[at]}*"
        elif roll < 0.13:
            words[at] = f"`{words[at]}_{self.vocabulary.word(rng)}`"
        elif roll < 0.19:
            words[at] = f"[{words[at]}](https://example.org/{self.vocabulary.word(rng)})"
        elif roll < 0.21:
            words.insert(at, f"https://www.example.gov.uk/{self.vocabulary.word(rng)}")
        elif roll < 0.27 and self.handles:
            handle = rng.choice(self.handles)
            mentions.append(handle)
            words.insert(at, f"@{handle}")
        elif roll < 0.32:
            words.insert(at, f"#{rng.choice(TAGS)}")
        text = " ".join(words)
        return text[0].upper() + text[1:] + rng.choice("....?!")

    def _paragraph(self, budget: int, mentions: list[str]) -> str:
        sentences = []
        while budget > 0:
            length = min(budget, max(4, int(self.rng.gauss(13, 5))))
            sentences.append(self._sentence(length, mentions))
            budget -= length
        return " ".join(sentences)

    def _block(self, budget: int, mentions: list[str]) -> str:
        """A paragraph, or now and then a list, a quote or a code block, of about `budget`
        words of prose."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.10 and budget >= 9:
            marker = rng.choice(("-", "*", "1."))
            # Three items sharing the budget exactly (it is at least 9: three words each).
            sizes = [budget // 3 + (1 if i < budget % 3 else 0) for i in range(3)]
            items = [self._sentence(size, mentions).rstrip(".?!") for size in sizes]
            return "\n".join(f"{marker} {item}" for item in items)
        if roll < 0.17:
            return "> " + self._paragraph(budget, mentions)
        if roll < 0.22:
            language = rng.choice(LANGUAGES)
            lines = [
                f"{self.vocabulary.word(rng)}_{i} = {rng.randrange(1000)}"
                for i in range(rng.randint(2, 6))
            ]
            code = "\n".join(lines)
            return f"{self._paragraph(budget, mentions)}\n\n```{language}\n{code}\n```"
        return self._paragraph(budget, mentions)

    def body(self) -> Body:
        """A post of 20 to 300 words (log-normal, median about 60) in one to five blocks."""
        rng = self.rng
        total = min(300, max(20, int(rng.lognormvariate(math.log(60), 0.7))))
        blocks, mentions = [], []  # type: ignore[var-annotated]
        left = total
        while left > 0:
            size = left if left < 30 else rng.randint(15, min(left, 90))
            blocks.append(self._block(size, mentions))
            left -= size
        return Body("\n\n".join(blocks), tuple(dict.fromkeys(mentions)))

    def title(self) -> str:
        words = self._words(self.rng.randint(4, 10))
        text = " ".join(words)
        return text[0].upper() + text[1:]


# Whoosh's default tokenizer (RegexTokenizer), so words are counted as the index splits them.
TOKEN_RE = re.compile(r"\w+(?:\.?\w+)*")


def document_stems(source: str, cache: dict[str, str]) -> set[str]:
    """The stems the search index makes of a post's words (stop words included, harmlessly)."""
    found = set()
    for token in TOKEN_RE.findall(source.lower()):
        stemmed = cache.get(token)
        if stemmed is None:
            stemmed = cache[token] = stem(token)
        found.add(stemmed)
    return found


def pick_word(
    vocabulary: Vocabulary, frequency: dict[str, int], posts: int, share: float
) -> tuple[str, int]:
    """The vocabulary word whose stem is in the share of posts closest to `share` (by ratio),
    and that number of posts. Only words the index keeps as they are qualify."""
    best: tuple[float, str, int] | None = None
    for word in vocabulary.words:
        if len(word) < 4 or not word.isalpha() or word in STOP_WORDS or stem(word) != word:
            continue
        count = frequency.get(word, 0)
        if not count:
            continue
        distance = abs(math.log(count / (posts * share)))
        if best is None or distance < best[0]:
            best = (distance, word, count)
    if best is None:
        raise ValueError("no vocabulary word can be searched for")
    return best[1], best[2]
