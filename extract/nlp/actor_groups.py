"""Groups and institutions named by description: "lawmakers said", "the appeals court blocked".

A pass of the actor layer (``actors.find_actors`` calls it after the collectives pass and before
the countries pass).  Its input is the article as the earlier passes left it (the parse, the
gazetteer matches, the names and actors found so far, the tokens they used); its output is a list
of ``Described`` findings, which the actor layer records as mentions.  The statement speakers and
the event roles find these actors through their mentions, like any other.

What counts as an agent noun comes from the Phoenix agents dictionary of the PETRARCH2 coder
(``data/phoenix_agents.csv``, derived by ``scripts/derive_actor_agents.py``: "prosecutors" JUD,
"lawmakers" LEG, "court" JUD, "teachers" EDU, ...), with the curated collectives of
``data/groups.csv`` laid over it (their class and sector win).  A noun phrase headed by one
becomes an actor when:

- it acts or is acted upon: the subject or passive agent of a predicate the speech or event
  lexicons know (a speech verb, an event trigger), its object, or the object of a preposition
  that names a participant ("clashed with", "appealed to", "according to");
- it is someone in particular, by the guideline's line between a group and a generic reference.
  Phoenix's sector tells the two apart: the state's and organised actors (government, military,
  police, judiciary, legislature, rebels, opposition, parties, ...) named by a bare plural in a
  news report are the ones of the story ("prosecutors charged him"), while a kind of person from
  the population at large (investors, students, voters, people) is a type unless the text ties it
  to a country, an owner or a number ("Chilean students", "300 voters").  People (PPL) never
  count, and a quantifier that ranges over the kind ("many", "most", "all") makes it generic;
- a singular head is a body ("court", "union", "judiciary": the organisation heads and
  organisation referents of the actor and speech tables), not a person's role.  A body already
  named in the article ("the court" after "the Supreme Court") is that body; a new one is made
  only where the phrase says which ("the appeals court", "Israel's court") or the body is one a
  story's place has a single one of (a court, a legislature, a union).

Country comes from a demonym, a country or a possessive in the phrase ("Chinese officials",
"Israel's supreme court") or from the owner person; sector from the table.  The name is the phrase
as written without determiners and numbers; one description is one actor per article, and a bare
head ("officials") refers back to the last group of its class in the article.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extract.nlp.event_lexicon import lexicon as event_lexicon
from extract.nlp.gazetteer import rows, tokenize
from extract.nlp.lexicon import PhraseTable, lexicon
from extract.nlp.speech import lexicon as speech_lexicon

__all__ = ["Agent", "Described", "agent_table", "find_described"]

# the state's and organised actors: a bare plural of these in a report is the story's own
INSTITUTIONAL = frozenset("GOV MIL COP JUD LEG REB OPP SPY IGO NGO PTY UAF INS".split())
# the sectors whose bare plural in a report is the story's own: its police, courts, prosecutors,
# legislators, soldiers, rebels and protesters; the government's people ("officials", "leaders")
# need a word that says which ("local officials", "federal regulators", "Chinese officials")
BARE_SECTORS = frozenset("COP MIL JUD LEG REB OPP SPY".split())
# a singular body without a qualifier that stands on its own: the place's court, legislature, union
SINGLE_BODIES = frozenset("JUD LEG LAB".split())
# forces and offices: a bare plural of these after a named body of the sector is that body's people
# ("Officers arrested ..." after "the Columbus Police Department"), which the event and speaker
# layers resolve to the body; no group of its own
FORCES = frozenset("COP MIL JUD SPY REB".split())
# people at large: never a group by that noun alone (the guideline's "people")
EXCLUDED = frozenset({"PPL"})
# bodies that refer to a government the article names as a country: the speaker layer's business
GOVERNMENT_WORDS = frozenset("government administration regime authority cabinet presidency state".split())
GENERIC_QUANTIFIERS = frozenset("many most all few any no every each such".split())
QUANTITIES = frozenset(
    "dozens hundreds thousands millions scores tens group groups crowd crowds number majority minority handful".split()
)
# predicates too light to say that anyone acted
LIGHT_VERBS = frozenset("be have do get seem become remain".split())
INFLECTIONS = (("ed", ("", "e")), ("d", ("",)), ("ing", ("", "e")), ("es", ("",)), ("s", ("",)), ("ied", ("y",)))
PARTICIPANT_PREPS = frozenset("with against to toward towards on upon by among between".split())
DETERMINERS = frozenset("the a an this that these those".split())


@dataclass(frozen=True)
class Agent:
    phrase: str  # the table's phrase: a plural noun for a curated collective, else the singular
    sector: str
    group_class: str  # what a group's key ends in: nouns of one class name one collective
    curated: bool


@dataclass(frozen=True)
class Described:
    """One mention of a group or body named by description, for the actor layer to record."""

    key: str
    kind: str  # group | organization
    start: int  # first token of the phrase (after determiners)
    end: int  # token after the head
    name: str
    country: str | None
    sector: str | None
    geo: tuple[int, ...]  # start tokens of the country words the phrase used


class AgentTable:
    """Agent phrases as lower-case token tuples -> (agent, is the plural form)."""

    def __init__(self) -> None:
        items: dict[tuple[str, ...], tuple[Agent, bool]] = {}
        for row in rows("phoenix_agents.csv"):
            code = row["code"]
            agent = Agent(row["phrase"], code[:3], row["plural"] or row["phrase"], False)
            items.setdefault(tokenize(row["phrase"]), (agent, row["phrase"].endswith(("men", "people"))))
            if row["plural"]:
                items.setdefault(tokenize(row["plural"]), (agent, True))
        for row in rows("groups.csv"):
            if row["sector"]:
                agent = Agent(row["noun"].lower(), row["sector"], row["class"], True)
                items[tuple(t.lower() for t in tokenize(row["noun"]))] = (agent, True)
        lex = lexicon()
        bodies = {h.phrase.split()[-1] for h in lex.org_heads.items.values() if h.kind in ("named", "common")}
        speech, events = speech_lexicon(), event_lexicon()
        bodies |= {noun for noun, kind in speech.referents.items() if kind == "organization"}
        self.bodies = frozenset(bodies - GOVERNMENT_WORDS)
        sectors = {h.phrase: h.sector for h in lex.org_heads.items.values() if h.sector}
        for noun in self.bodies:  # a body the actor tables know and Phoenix does not ("union")
            if (noun,) not in items and noun in sectors:
                items[(noun,)] = (Agent(noun, sectors[noun], noun, True), False)
        self.phrases = PhraseTable(items)
        self.heads = frozenset(key[-1] for key in items)
        predicates = set(speech.verbs) | set(events.verbs) | set(events.by_verb_object) | set(events.by_phrasal)
        self.predicates = frozenset(p for p in predicates if " " not in p) - LIGHT_VERBS
        from extract.nlp.actors import MOTION  # here, not at the top: actors.py imports this module

        self.motion = MOTION


@lru_cache(maxsize=1)
def agent_table() -> AgentTable:
    return AgentTable()


def _predicate(verb: Any, table: AgentTable) -> bool:
    """Whether ``verb`` is a predicate of the lexicons, by its lemma or, where the lemmatiser
    slips ("fined" -> "fin"), by its form without the inflection."""
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    lemma, word = verb.lemma_.lower(), verb.lower_
    if lemma in LIGHT_VERBS:
        return False
    if lemma in table.motion and not any(c.dep_ == "dobj" for c in verb.children):
        return False  # "delegates arrived in Monaco": they went somewhere, to no one
    if lemma in table.predicates or word in table.predicates:
        return True
    for suffix, stems in INFLECTIONS:
        if word.endswith(suffix) and any(word[: -len(suffix)] + stem in table.predicates for stem in stems):
            return True
    return False


def acts(tok: Any, table: AgentTable) -> bool:
    """Whether the phrase headed by ``tok`` acts or is acted upon in its clause."""
    node, steps = tok, 0
    while node.dep_ == "conj" and node.head.i != node.i and steps < 4:
        node, steps = node.head, steps + 1
    head = node.head
    if node.dep_ == "pobj" and head.lower_ == "of" and head.head.i != head.i:
        quantity = head.head  # "thousands of protesters marched"
        if quantity.like_num or quantity.lower_ in QUANTITIES:
            node, head = quantity, quantity.head
    dep = node.dep_
    if dep in ("nsubj", "nsubjpass", "dobj", "dative"):
        return _predicate(head, table)
    if dep == "pobj":
        if head.dep_ == "agent":
            return _predicate(head.head, table)
        if head.lower_ == "to" and head.head.lower_ == "according":
            return True
        return head.lower_ in PARTICIPANT_PREPS and _predicate(head.head, table)
    return False


def _tied_right(article: Any, tok: Any) -> bool:
    """Whether an "of"/"from"/"in"/"at"/"for" phrase after the head names a place or an actor."""
    for child in tok.rights:
        if child.dep_ == "prep" and child.lower_ in ("of", "from", "in", "at", "for"):
            span = range(child.i + 1, child.right_edge.i + 1)
            if any(j in article.geo_at or article.cand_of[j] is not None for j in span):
                return True
    return False


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def find_described(article: Any) -> list[Described]:
    """Groups and bodies named by description in an article the earlier actor passes have read.

    ``article`` is the actor layer's parsed-article record (``actors._Article``): its parse, lower
    -case tokens, used tokens, names, gazetteer matches and the actors found so far.
    """
    table = agent_table()
    doc, lower = article.doc, article.lower
    found: list[Described] = []
    latest_group: dict[str, str] = {}  # class -> key of the last group of that class
    for f in sorted(article.found, key=lambda f: f.token):
        if f.role == "actor" and f.key.startswith("group:"):
            latest_group.setdefault(f.key.split(":")[2], f.key)
    first_token: dict[str, int] = {}
    for f in article.found:
        if f.role == "actor" and f.key.startswith("group:"):
            first_token[f.key] = min(first_token.get(f.key, f.token), f.token)
    sector_bodies = _bodies_before(article)
    for i in range(article.n):
        if lower[i] not in table.heads or article.used[i] or article.cand_of[i] is not None:
            continue
        s, e = article.char_span(i, i + 1)
        if article.in_junk(s, e) or any(a <= s < b for a, b in article.headlines):
            continue
        tok = doc[i]
        if tok.dep_ == "compound" or tok.pos_ not in ("NOUN", "PROPN"):
            continue
        if not (tok.is_lower or tok.is_title and i == article.block_start[i]):
            continue  # "Court of Appeals": part of a name
        hit = table.phrases.ending_at(lower, i, article.block_start[i])
        if hit is None:
            continue
        length, (agent, _) = hit
        plural = tok.tag_ in ("NNS", "NNPS") or lower[i] in ("police",)
        body = not plural and lower[i] in table.bodies
        if agent.sector in EXCLUDED or not (plural or body) or not acts(tok, table):
            continue
        if _tied_right(article, tok):
            continue  # "officials from Mexico and Canada": the event layer resolves them to those
        info = article.left_modifiers(i, i - length + 1)
        if info["body"] or info["party"] or info["pronoun"] or info["supranational"]:
            continue  # "White House advisers", "its union": the people or part of a named body
        isos = sorted(set(info["isos"]))
        if len(isos) > 1:
            continue
        iso = isos[0] if isos else None
        owner = info["owner"]
        if owner is not None and iso is None:
            acc = article.acc.get(owner.key)
            iso = acc.countries.most_common(1)[0][0] if acc and acc.countries else None
        if iso is None and owner is None and any(c.dep_ == "poss" for c in tok.children):
            continue  # "X's parliament" with an X the earlier passes did not read: the event layer's
        words = [doc[j] for j in range(info["start"], i - length + 1)]
        quantified = any(w.lower_ in GENERIC_QUANTIFIERS for w in tok.lefts)
        numbered = any(c.dep_ == "nummod" for c in tok.children) or tok.head.lower_ == "of"
        anchored = bool(isos) or owner is not None
        if quantified and not anchored:
            continue
        start = info["start"]
        while start < i and (lower[start] in DETERMINERS or doc[start].like_num or doc[start].is_punct):
            start += 1
        name_start = start
        while name_start < i - length + 1 and doc[name_start].lower_ in GENERIC_QUANTIFIERS | {"some", "several"}:
            name_start += 1
        s, e = article.char_span(name_start, i + 1)
        name = " ".join(article.text[s:e].split())
        first = doc[name_start]
        if (
            first.is_title
            and first.pos_ in ("NOUN", "ADJ")
            and not first.ent_type_
            and name_start not in article.geo_at
        ):
            name = name[:1].lower() + name[1:]  # "Federal prosecutors" opening a sentence
        # "prison officials" are a group of their own; "administration officials" are the government's
        compounds = [
            w.lower_ for w in words if w.dep_ == "compound" and w.pos_ == "NOUN" and w.lower_ not in GOVERNMENT_WORDS
        ]
        if body:
            qualifiers = [w.lower_ for w in words if not w.is_punct]
            subject = tok.dep_ == "nsubj" or tok.dep_ == "pobj" and tok.head.dep_ == "agent"
            described = _body(article, agent, i, start, name, iso, qualifiers, tuple(info["geo"]), subject)
            if described is not None:
                found.append(described)
            continue
        if agent.sector not in INSTITUTIONAL and not (anchored or numbered):
            continue  # "investors", "the students": a kind of person, or someone named before
        qualified = any(
            not (w.is_punct or w.like_num or w.lower_ in DETERMINERS) for w in doc[name_start : i - length + 1]
        )
        if agent.sector not in BARE_SECTORS and not (anchored or qualified):
            continue  # "officials", "leaders": of which government or body, the phrase does not say
        if not (anchored or compounds) and agent.sector in FORCES and i > sector_bodies.get(agent.sector, article.n):
            continue
        klass = agent.group_class
        if compounds:
            key = f"group:{iso or 'none'}:{klass}:{'-'.join(compounds)}"
            key += "" if iso else ":" + _digest(article.text)
        elif not anchored and klass in latest_group and first_token.get(latest_group[klass], i) < i:
            key = latest_group[klass]  # "Chinese officials ... officials said": the same group
        elif iso is None:
            key = f"group:none:{klass}:{_digest(article.text)}"  # two articles' "lawmakers" are two groups
        else:
            key = f"group:{iso}:{klass}"
        latest_group[klass] = key
        first_token.setdefault(key, i)
        found.append(Described(key, "group", start, i + 1, name, iso, agent.sector, tuple(info["geo"])))
    return found


def _body(
    article: Any,
    agent: Agent,
    i: int,
    start: int,
    name: str,
    iso: str | None,
    qualifiers: list[str],
    geo: tuple[int, ...],
    subject: bool,
) -> Described | None:
    """A singular body: the one the article has named with that head noun, or a new one (a bare
    "court" only where it acts: "asked the court", "went to court" is the institution at large)."""
    noun = article.lower[i]
    named = _named_body(article, noun, i)
    if named is not None and not qualifiers and iso is None:
        return Described(named, "organization", start, i + 1, "", None, None, ())
    if not qualifiers and iso is None and (agent.sector not in SINGLE_BODIES or not subject):
        return None  # "the agency": some body named otherwise; the speaker layer resolves it
    if named is not None and iso is None:
        return None  # "the federal court" after "the Supreme Court": too close to tell apart
    if agent.sector not in INSTITUTIONAL | SINGLE_BODIES:
        return None  # "the Chinese company": a business the article names, not a new one
    key = f"organization:{iso or 'none'}:{name.lower()}"
    if iso is None:
        key += ":" + _digest(article.text)
    return Described(key, "organization", start, i + 1, name, iso, agent.sector, geo)


def _bodies_before(article: Any) -> dict[str, int]:
    """Sector -> where the article first names an organisation of that sector."""
    first: dict[str, int] = {}
    for f in article.found:
        if f.role != "actor" or not f.key.startswith("organization:"):
            continue
        acc = article.acc.get(f.key)
        for sector in acc.sectors if acc is not None else ():
            first[sector] = min(first.get(sector, f.token), f.token)
    return first


def _named_body(article: Any, noun: str, i: int) -> str | None:
    """The key of the organisation named before token ``i`` whose name has ``noun`` in it."""
    best: tuple[int, str] | None = None
    for f in article.found:
        if f.role != "actor" or f.token >= i or not f.key.startswith("organization:"):
            continue
        acc = article.acc.get(f.key)
        if acc is None:
            continue
        words = {w.lower().strip(".,'’") for n in acc.names + acc.aliases for w in n.split()}
        if noun in words and (best is None or f.token > best[0]):
            best = (f.token, f.key)
    return best[1] if best else None
