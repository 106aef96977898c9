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
    n_rejected integer not null
);
