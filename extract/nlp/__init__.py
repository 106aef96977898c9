"""The NLP layer: one spaCy parse per English article, shared by the actor, statement and event
extractors, each fact tied to character offsets and a sentence of the article's clean text."""

__all__ = ["NLP_TABLES"]

# the raw tables the NLP stage fills (extract/schema.sql), keyed by article
NLP_TABLES = ("article_nlp", "sentences", "article_actors", "actor_mentions", "statements", "events")
