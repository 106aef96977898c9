"""The statement layer: direct quotes and reported speech, each with its speaker.

Sentences here are written for these tests (none comes from the evaluation pages).  Actors come
from the actors layer (``find_actors``), so speakers are checked by the actor's name, not its key.
"""

from __future__ import annotations

import random
import time

from extract.nlp.actors import find_actors
from extract.nlp.quotes import find_quotes
from extract.nlp.statements import Statement, find_statements


def statements_of(nlp, text: str) -> tuple[list[Statement], dict[str, str]]:
    """The statements of ``text`` and the actors' names by key, checking the layer's contract."""
    doc = nlp(text)
    actors, mentions = find_actors(doc)
    found = find_statements(doc, actors, mentions)
    names = {actor.key: actor.name for actor in actors}
    for s in found:
        assert s.mode in ("direct", "reported")
        assert s.speaker_key is None or s.speaker_key in names
        assert 0 <= s.start < s.end <= len(text)
        if s.mode == "direct":
            assert doc.text[s.start : s.end] == s.text
        assert s.text.strip()
    return found, names


def speaker(s: Statement, names: dict[str, str]) -> str:
    return names.get(s.speaker_key, "") if s.speaker_key else ""


def one(found: list[Statement], mode: str, words: str) -> Statement:
    """The statement of ``mode`` whose text is ``words``, or else holds them (exactly one)."""
    hits = [s for s in found if s.mode == mode and words == s.text]
    hits = hits or [s for s in found if s.mode == mode and words in s.text]
    assert len(hits) == 1, (mode, words, [(s.mode, s.text) for s in found])
    return hits[0]


# -- quotation marks -------------------------------------------------------------------------


def test_straight_double_quotes_give_the_words_inside_with_their_speaker(nlp) -> None:
    found, names = statements_of(nlp, '"The bridge is safe again," Mayor Anna Lindqvist said on Friday.')
    quote = one(found, "direct", "bridge")
    assert quote.text == "The bridge is safe again"
    assert "Lindqvist" in speaker(quote, names)
    assert quote.cue == "say"


def test_curly_quotes_before_an_inverted_attribution(nlp) -> None:
    found, names = statements_of(nlp, "“Nobody will be left behind,” said Governor Emma Hart.")
    quote = one(found, "direct", "Nobody")
    assert quote.text == "Nobody will be left behind"
    assert "Hart" in speaker(quote, names)


def test_single_quotes_with_apostrophes_inside(nlp) -> None:
    text = "Olaf Brandt said: 'We won't give in to pressure, and we don't fear the vote.'"
    found, names = statements_of(nlp, text)
    quote = one(found, "direct", "give in")
    assert quote.text == "We won't give in to pressure, and we don't fear the vote."
    assert "Brandt" in speaker(quote, names)


def test_guillemets(nlp) -> None:
    found, names = statements_of(nlp, "Prime Minister Jean Dupuis said the talks had been «productive and frank».")
    quote = one(found, "direct", "productive")
    assert quote.text == "productive and frank"
    assert "Dupuis" in speaker(quote, names)


def test_split_quote_gives_two_statements_by_one_speaker(nlp) -> None:
    found, names = statements_of(nlp, '"Peace," Ambassador Ruth Okafor said, "is not a dream but a duty."')
    first, second = one(found, "direct", "Peace"), one(found, "direct", "duty")
    assert first.text == "Peace"
    assert second.text == "is not a dream but a duty."
    assert "Okafor" in speaker(first, names) and "Okafor" in speaker(second, names)
    assert not [s for s in found if s.mode == "reported"]  # the cue reports nothing but the quotes


def test_quote_inside_a_sentence_is_a_direct_statement_within_a_reported_one(nlp) -> None:
    text = "Senator Lucia Ortega said the rescuers had acted with “courage, patience and real care,” and left."
    found, names = statements_of(nlp, text)
    quote = one(found, "direct", "courage")
    assert quote.text == "courage, patience and real care"
    report = one(found, "reported", "rescuers")
    assert report.text.startswith("the rescuers had acted with")
    assert "Ortega" in speaker(quote, names) and "Ortega" in speaker(report, names)


def test_single_word_quote_with_a_speaker(nlp) -> None:
    found, names = statements_of(nlp, 'Union leader Maria Santos described the offer as "insulting".')
    quote = one(found, "direct", "insulting")
    assert quote.text == "insulting"
    assert "Santos" in speaker(quote, names)
    report = one(found, "reported", "offer")
    assert report.cue == "describe as"


def test_scare_quotes_and_titles_are_not_statements(nlp) -> None:
    found, _ = statements_of(nlp, 'The so-called "peace plan" was shelved, and the film "The Long Night" was banned.')
    assert not [s for s in found if s.mode == "direct"]


def test_multi_paragraph_quote_is_one_speakers(nlp) -> None:
    text = (
        '"The first part of the plan is to repair the dam before the rains come.\n'
        '"The second part is to move the families who live below it," Governor Emma Hart said.'
    )
    found, names = statements_of(nlp, text)
    first, second = one(found, "direct", "first part"), one(found, "direct", "second part")
    assert first.text == "The first part of the plan is to repair the dam before the rains come."
    assert "\n" not in first.text and "Hart" in speaker(first, names) and "Hart" in speaker(second, names)


def test_nested_quote_goes_to_the_inner_speaker(nlp) -> None:
    text = (
        "“I met Finance Minister Karl Obst last week and he told me, ‘There is no money left,’” "
        "said Senator Lucia Ortega."
    )
    found, names = statements_of(nlp, text)
    outer, inner = one(found, "direct", "I met"), one(found, "direct", "There is no money left")
    assert "Ortega" in speaker(outer, names)
    assert "Obst" in speaker(inner, names)


def test_a_speakers_own_words_quoted_inside_their_quote_are_not_told_twice(nlp) -> None:
    found, names = statements_of(nlp, "“And I told them, ‘Build it,’” Mayor Tom Reyes recalled.")
    assert [s.text for s in found if s.mode == "direct"] == ["And I told them, ‘Build it,’"]


# -- reported speech -------------------------------------------------------------------------


def test_said_that_gives_the_content_clause(nlp) -> None:
    found, names = statements_of(nlp, "Mayor Anna Lindqvist said that the city would reopen the bridge next week.")
    report = one(found, "reported", "bridge")
    assert report.text == "the city would reopen the bridge next week"
    assert report.cue == "say" and "Lindqvist" in speaker(report, names)


def test_according_to_names_the_source(nlp) -> None:
    found, names = statements_of(nlp, "Forty people were arrested overnight, according to Interior Minister Lars Berg.")
    report = one(found, "reported", "arrested")
    assert report.text == "Forty people were arrested overnight"
    assert report.cue == "according to" and "Berg" in speaker(report, names)


def test_according_to_at_the_start(nlp) -> None:
    found, names = statements_of(nlp, "According to the Interior Ministry, forty people were arrested overnight.")
    report = one(found, "reported", "arrested")
    assert report.text == "forty people were arrested overnight"
    assert "Interior Ministry" in speaker(report, names)


def test_accused_of_gives_the_accused_and_the_charge(nlp) -> None:
    found, names = statements_of(nlp, "Greenpeace accused Shell of misleading investors about its climate targets.")
    report = one(found, "reported", "misleading")
    assert report.text == "Shell of misleading investors about its climate targets"
    assert report.cue == "accuse of" and speaker(report, names) == "Greenpeace"


def test_other_cues_urge_call_for_warn_deny(nlp) -> None:
    text = (
        "The European Commission called for an immediate ceasefire. "
        "Senator Jane Moss urged the Pentagon to explain the delay. "
        "Doctors warned that the virus could spread quickly. "
        "Russia denied the accusations."
    )
    found, names = statements_of(nlp, text)
    assert one(found, "reported", "ceasefire").cue == "call for"
    assert one(found, "reported", "Pentagon").text == "the Pentagon to explain the delay"
    assert one(found, "reported", "virus").speaker_key is None  # "doctors" is nobody in particular
    assert one(found, "reported", "accusations").text == "the accusations"


def test_attribution_after_the_clause_and_in_the_next_sentence(nlp) -> None:
    text = (
        "Officers found two rifles in the car and arrested the driver, Lt. Dana Harris said.\n"
        "“We tested the water twice. It is not safe to drink.” Mayor Tom Reyes said on Monday."
    )
    found, names = statements_of(nlp, text)
    report = one(found, "reported", "rifles")
    assert report.text == "Officers found two rifles in the car and arrested the driver"
    assert "Harris" in speaker(report, names)
    quote = one(found, "direct", "water")
    assert quote.text == "We tested the water twice. It is not safe to drink."
    assert "Reyes" in speaker(quote, names)


def test_quote_without_a_cue_takes_the_speaker_of_the_quote_before_it(nlp) -> None:
    text = '"We have had enough," said farmer John Keller. "Nobody in the capital listens to us."'
    found, names = statements_of(nlp, text)
    assert "Keller" in speaker(one(found, "direct", "Nobody"), names)


def test_pronoun_speaker_resolves_to_the_last_person_named(nlp) -> None:
    text = "Senator Paul Weber met farmers in Iowa on Monday. He said the tax would be repealed."
    found, names = statements_of(nlp, text)
    report = one(found, "reported", "tax")
    assert report.speaker_text == "He" and "Weber" in speaker(report, names)


def test_pronoun_inside_a_quote_is_read_inside_it_and_gender_is_kept(nlp) -> None:
    text = (
        "Judge Helen Marsh questioned the witness. "
        "“When I asked Mr. Daniel Cole about the money, he said nothing,” she said."
    )
    found, names = statements_of(nlp, text)
    assert "Marsh" in speaker(one(found, "direct", "money"), names)


def test_organisation_speaker_and_it(nlp) -> None:
    text = (
        "South Korea's Defense Ministry said the launch violated United Nations resolutions. "
        "It added that the missile flew 800 kilometres."
    )
    found, names = statements_of(nlp, text)
    first, second = one(found, "reported", "launch"), one(found, "reported", "missile")
    assert "Defense Ministry" in speaker(first, names)
    assert second.speaker_text == "It" and second.speaker_key == first.speaker_key


def test_description_speaker_resolves_to_the_named_actor(nlp) -> None:
    text = (
        "Police spokeswoman Karen Doyle said officers had found a weapon. The spokeswoman added that no one was hurt."
    )
    found, names = statements_of(nlp, text)
    report = one(found, "reported", "no one")
    assert report.speaker_text == "The spokeswoman" and "Doyle" in speaker(report, names)


def test_two_speakers_of_one_statement(nlp) -> None:
    found, names = statements_of(nlp, "Germany and France urged Iran to return to the talks.")
    reports = [s for s in found if s.mode == "reported"]
    assert len(reports) == 2 and {s.text for s in reports} == {"Iran to return to the talks"}
    assert {speaker(s, names) for s in reports} == {names[s.speaker_key] for s in reports if s.speaker_key}
    assert len({s.speaker_key for s in reports}) == 2


def test_a_report_nested_in_the_same_speakers_report_is_told_once(nlp) -> None:
    found, _ = statements_of(nlp, "Mayor Anna Lindqvist said she believed the bridge was safe.")
    assert [s.text for s in found] == ["she believed the bridge was safe"]


def test_negated_cue_reports_nothing(nlp) -> None:
    found, _ = statements_of(nlp, "Police did not say how many people had been arrested.")
    assert found == []


# -- hostile text ----------------------------------------------------------------------------


def test_unbalanced_quotes_do_not_swallow_the_article(nlp) -> None:
    text = (
        'Mayor Anna Lindqvist said "the port is closed until further notice and then went home.\n'
        "The harbour master, Tom Reyes, said the ships would wait outside.\n"
        '"We are ready" she said" and left.'
    )
    found, names = statements_of(nlp, text)
    for s in found:
        assert "\n" not in text[s.start : s.end]
        assert len(s.text) < 80
    report = one(found, "reported", "ships")
    assert "Reyes" in speaker(report, names)


def test_quote_finder_tells_apostrophes_from_quotes() -> None:
    text = "It's the Smiths' dog, and 'Rex' is its name. Tays’ car isn’t ‘new’, he said."
    assert [text[q.start : q.end] for q in find_quotes(text)] == ["Rex", "new"]


def test_quote_finder_bounds_and_nesting() -> None:
    text = '“Outer ‘inner’ words.” Then a stray “ mark and an opening "one never closed.\nHe said "Next."'
    quotes = find_quotes(text)
    assert [text[q.start : q.end] for q in quotes] == ["Outer ‘inner’ words.", "inner", "Next."]
    assert quotes[1].parent == 0 and quotes[1].depth == 1


def test_quote_finder_carries_a_quote_over_a_paragraph_break() -> None:
    text = '"First paragraph of the quote.\n"Second paragraph," she said.\n"Unclosed and alone.\nPlain text.'
    quotes = find_quotes(text)
    assert [text[q.start : q.end] for q in quotes] == ["First paragraph of the quote.", "Second paragraph"]
    assert quotes[0].close_at is None and quotes[1].continues == 0


def test_fifty_quote_marks_in_one_paragraph(nlp) -> None:
    marks = " ".join(f'"word{i}"' if i % 3 else '"' for i in range(50))
    text = f"Mayor Anna Lindqvist listed {marks} and left. She said the list was complete."
    started = time.perf_counter()
    found, names = statements_of(nlp, text)
    assert time.perf_counter() - started < 2
    for s in found:
        if s.mode == "direct":
            assert '"' not in s.text
    assert "Lindqvist" in speaker(one(found, "reported", "list was complete"), names)


def test_long_one_paragraph_article_is_quick(nlp) -> None:
    rng = random.Random(7)
    sentences = [
        "Mayor Ana Ruiz said the port would reopen on Friday.",
        '"We are ready," she said.',
        "The council, according to its chair, approved the budget.",
        'Critics called the deal "a giveaway" and demanded a vote.',
        'He said "this never closes and goes on.',
        "It's the Smiths' dog 'Rex' again.",
        "Officials warned that the river could flood.",
    ]
    text = " ".join(rng.choice(sentences) for _ in range(4500))
    assert len(text) > 200_000 and "\n" not in text
    doc = nlp(text)
    actors, mentions = find_actors(doc)
    started = time.perf_counter()
    found = find_statements(doc, actors, mentions)
    assert time.perf_counter() - started < 2
    assert len(found) > 1000
    assert max(len(s.text) for s in found) < 200
    assert all(doc.text[s.start : s.end] == s.text for s in found if s.mode == "direct")
