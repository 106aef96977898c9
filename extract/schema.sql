-- The raw layer: what the Python stages load into the warehouse.  dbt reads these as sources
-- (dbt_project/models/staging) and builds everything else; nothing but extract/load.py writes here.
-- Every row carries the batch that wrote it, so a rerun of a batch replaces exactly its own rows.

create schema if not exists raw;

-- one row per source the pipeline was pointed at (a feed, a sitemap, a URL list)
create table if not exists raw.sources (
    source_id varchar primary key,      -- stable hash of kind + location
    kind varchar not null,              -- feed | sitemap | urls
    location varchar not null,          -- the feed / sitemap URL or the list file's path
    name varchar,
    batch_id varchar not null
);

-- one row per URL discovered for a batch, fetched or not
create table if not exists raw.discovered_urls (
    batch_id varchar not null,
    url varchar not null,               -- normalised
    source_id varchar not null,
    primary key (batch_id, url)
);

-- one row per page fetched successfully (the latest fetch wins)
create table if not exists raw.pages (
    url varchar primary key,            -- normalised URL as discovered
    final_url varchar not null,         -- after redirects
    source_id varchar not null,
    http_status integer not null,
    content_type varchar,
    n_bytes bigint not null,
    body_sha256 varchar not null,
    raw_path varchar not null,          -- relative to the raw page store
    fetched_at timestamp not null,      -- UTC
    batch_id varchar not null
);

-- one row per article that survived cleaning (exact and near duplicates are rejected instead)
create table if not exists raw.articles (
    article_id varchar primary key,     -- hash of the normalised URL
    url varchar not null unique,
    source_id varchar not null,
    title varchar,
    author varchar,
    published_at timestamp,             -- UTC, from the page's own metadata
    site_name varchar,
    language varchar,                   -- ISO 639-1, detected from the text
    text varchar not null,
    n_words integer not null,
    text_sha256 varchar not null,
    simhash ubigint not null,
    fetched_at timestamp not null,
    batch_id varchar not null
);

-- one row per URL a stage could not carry forward, with why; nothing disappears silently
create table if not exists raw.rejections (
    batch_id varchar not null,
    url varchar not null,
    stage varchar not null,             -- discover | fetch | clean | dedupe
    reason varchar not null,            -- short code: http_404, timeout, too_large, ...
    detail varchar,
    primary key (batch_id, url, stage)
);

-- one row per batch loaded, with its counts
create table if not exists raw.batches (
    batch_id varchar primary key,
    interval_start timestamp,
    interval_end timestamp,
    n_discovered integer not null,
    n_fetched integer not null,
    n_articles integer not null,
    n_rejected integer not null,
    load_seq bigint                     -- this load's number from raw.batch_loads; a rerun takes a new one
);
-- warehouses made before load_seq existed
alter table raw.batches add column if not exists load_seq bigint;
-- numbers every load, rising: the article-sized marts rebuild the loads newer than they hold
create sequence if not exists raw.batch_loads start 1;

-- the NLP layer (extract/nlp): rows keyed by article, replaced whenever their article is

-- one row per article the NLP stage saw: parsed, or skipped or failed with the reason
create table if not exists raw.article_nlp (
    article_id varchar primary key,
    status varchar not null,            -- parsed | skipped | failed
    reason varchar,                     -- why not parsed (not English, too slow), or the bounds a parse hit
    model varchar,                      -- the spaCy pipeline that parsed it
    n_sentences integer not null,
    n_tokens integer not null,
    batch_id varchar not null
);

-- sentence boundaries, so every fact can be traced to the sentence it came from
create table if not exists raw.sentences (
    article_id varchar not null,
    sentence_index integer not null,
    start_char integer not null,        -- offsets into raw.articles.text
    end_char integer not null,
    batch_id varchar not null,
    primary key (article_id, sentence_index)
);

-- one row per actor resolved in an article
create table if not exists raw.article_actors (
    article_id varchar not null,
    actor_id varchar not null,          -- hash of actor_key: the same actor in every article
    actor_key varchar not null,         -- canonical key, e.g. person:vladimir putin, country:RUS
    name varchar not null,
    kind varchar not null,              -- person | organization | country | group
    country_code varchar,               -- ISO 3166-1 alpha-3 affiliation
    sector varchar,                     -- PLOVER sector code
    aliases varchar[] not null,
    batch_id varchar not null,
    primary key (article_id, actor_id)
);

-- one row per mention of an actor
create table if not exists raw.actor_mentions (
    article_id varchar not null,
    mention_index integer not null,
    actor_id varchar not null,
    text varchar not null,              -- equals the article text at [start_char, end_char)
    start_char integer not null,
    end_char integer not null,
    sentence_index integer not null,
    batch_id varchar not null,
    primary key (article_id, mention_index)
);

-- one row per statement: a direct quotation or a reported content clause, with its speaker
create table if not exists raw.statements (
    article_id varchar not null,
    statement_index integer not null,
    speaker_actor_id varchar,           -- null when the text names no speaker
    text varchar not null,
    mode varchar not null,              -- direct | reported
    cue varchar,                        -- said, told, according to, ...
    start_char integer not null,
    end_char integer not null,
    sentence_index integer not null,
    batch_id varchar not null,
    primary key (article_id, statement_index)
);

-- one row per event: who (source) did what (a PLOVER category) to whom (target), when and where
create table if not exists raw.events (
    article_id varchar not null,
    event_index integer not null,
    event_type varchar not null,        -- one of the 16 PLOVER categories
    source_actor_id varchar,
    target_actor_id varchar,
    event_date date,
    date_precision varchar,             -- day | month | year
    location_name varchar,
    location_country_code varchar,
    location_precision varchar,         -- country | admin | city: how finely the place is known
    confidence double,                  -- 0-1, how sure the path that coded the event is (extract/nlp/events.py)
    latitude double,
    longitude double,
    trigger varchar not null,
    start_char integer not null,        -- offsets of the trigger
    end_char integer not null,
    sentence_index integer not null,
    method_version varchar not null,
    batch_id varchar not null,
    primary key (article_id, event_index)
);

-- warehouses made before location_precision existed
alter table raw.events add column if not exists location_precision varchar;
alter table raw.events add column if not exists confidence double;

-- the frontier (extract/frontier.py): one row per URL a batch discovered, saying what the batch did
-- with it and the state it left, carried forward from the visit before; a URL's latest visit is
-- its frontier row, and the fetch stage reads it to skip what is known and unchanged
create table if not exists raw.visits (
    batch_id varchar not null,
    url varchar not null,
    source_id varchar not null,
    visited_at timestamp not null,      -- the batch's time: its interval's end, or when a manual run began
    action varchar not null,            -- fetched | stored | refetched | seen_again | not_modified | unchanged | revisited | failed
    first_seen_at timestamp not null,   -- the time of the first batch that saw the URL
    last_fetch_at timestamp,            -- the last batch time the site was asked for it (null: never)
    http_status integer,
    etag varchar,                       -- validators for the next conditional request
    last_modified varchar,
    body_sha256 varchar,
    text_sha256 varchar,                -- the clean text the warehouse holds for the URL, if any
    primary key (batch_id, url)
);

-- every version of an article's clean text, kept when a revisit finds it changed; raw.articles
-- holds the latest, and the page bodies stay in the raw store
create table if not exists raw.article_versions (
    url varchar not null,
    text_sha256 varchar not null,
    article_id varchar not null,
    title varchar,
    published_at timestamp,
    text varchar not null,
    fetched_at timestamp not null,      -- when this text was first fetched
    batch_id varchar not null,
    primary key (url, text_sha256)
);
