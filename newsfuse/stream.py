"""A news stream into a store: read, clean, drop what is already stored, cluster, commit batch by batch.

All inputs are read and checked (`read_inputs`) before anything is written (`ingest_articles`), so a bad
input stops the command with a one-line error and nothing of this run stored. From then on each batch of articles is
committed with its story assignments and story rows in one transaction: an ingest killed midway
keeps every committed batch, and running it again stores the rest (what is stored is skipped).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Iterator

from .clean import clean_article
from .clustering import ArticleFeatures, ClusterOptions, StreamClusterer, features
from .embed import get_embedder
from .model import Article, NewsfuseError
from .store import Store, StoredArticle, content_hash, normalize_url


@dataclass(frozen=True)
class IngestOptions:
    embedder: str = "static"  # the clustering is tuned for it; TF-IDF vectors are not comparable across batches
    batch_size: int = 200  # articles per transaction
    clustering: ClusterOptions = field(default_factory=ClusterOptions)


@dataclass
class IngestResult:
    added: int = 0  # newly stored
    duplicates: int = 0  # already stored (same URL or same content), or repeated in the inputs
    empty: int = 0  # nothing left after cleaning
    stories: set[str] = field(default_factory=set)  # stories that received articles

    def summary(self) -> str:
        parts = [f"{self.added} new article{'s' * (self.added != 1)} in {len(self.stories)} "
                 f"stor{'ies' if len(self.stories) != 1 else 'y'}"]
        if self.duplicates:
            parts.append(f"{self.duplicates} already stored")
        if self.empty:
            parts.append(f"{self.empty} with no text after cleaning")
        return ", ".join(parts)


def read_inputs(inputs: list[str], fetch=None) -> list[Article]:
    """Every input read in full, in order; the first bad one raises NewsfuseError naming it. URLs are
    fetched when `fetch` (ingest.urls.FetchOptions) is given. Inputs are read one by one: the same id
    in two inputs is settled by the store, not refused."""
    from .ingest import read_articles

    if not inputs:
        raise NewsfuseError("no input given")
    return [article for spec in inputs for article in read_articles([spec], fetch=fetch)]


def ingest_articles(articles: list[Article], store: Store, options: IngestOptions = IngestOptions(), progress: bool = False) -> IngestResult:
    """Add each new article (as `read_inputs` gives them) to the store and to a story. See the module docstring."""
    store.check_settings(_settings(options))
    with store.writer():
        return _ingest_articles(articles, store, options, progress)


def _settings(options: IngestOptions) -> dict[str, str]:
    # vectors from one embedder cannot be compared with another's
    return {"embedder": options.embedder}


def _ingest_articles(articles: list[Article], store: Store, options: IngestOptions, progress: bool) -> IngestResult:
    from tqdm import tqdm

    clusterer = StreamClusterer(options.clustering)
    try:
        clusterer.restore(((story_id, [(article_id, ArticleFeatures.from_bytes(blob)) for article_id, blob in members])
                           for story_id, members in store.open_stories()), now=store.newest_date(),
                          term_counts=store.term_counts())
    except ValueError as error:  # features stored by another version of newsfuse
        raise NewsfuseError(f"{store.path}: cannot continue this store ({error})") from None
    result = IngestResult()
    bar = tqdm(total=len(articles), unit=" articles", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    batch: list[tuple[Article, str]] = []
    for article, digest in _new_articles(articles, store, result, skipped=bar.update):
        batch.append((article, digest))
        if len(batch) >= options.batch_size:
            _commit(batch, clusterer, store, options, result)
            bar.update(len(batch))  # an article counts as done once committed
            batch = []
    if batch:
        _commit(batch, clusterer, store, options, result)
        bar.update(len(batch))
    bar.close()
    return result


def _new_articles(articles: list[Article], store: Store, result: IngestResult, skipped) -> Iterator[tuple[Article, str]]:
    """Cleaned articles that are neither stored nor repeated earlier in this run, with their content hash."""
    urls: set[str] = set()
    hashes: set[str] = set()
    ids: set[str] = set()
    for article in articles:
        url = normalize_url(article.url)
        if url is not None and (url in urls or store.find(url, None) is not None):
            result.duplicates += 1  # a re-polled feed item: known by its link, no need to clean it again
            skipped()
            continue
        clean_article(article)
        if not article.text.strip():
            result.empty += 1
            skipped()
            continue
        digest = content_hash(article)
        if digest in hashes or store.find(None, digest) is not None:
            result.duplicates += 1
            skipped()
            continue
        if article.id in ids or store.has_id(article.id):
            article.id = f"{article.id}~{digest[:8]}"  # another article already has this id: keep both
        hashes.add(digest)
        ids.add(article.id)
        if url is not None:
            urls.add(url)
        yield article, digest


def _commit(batch: list[tuple[Article, str]], clusterer, store: Store, options: IngestOptions, result: IngestResult) -> None:
    """Cluster one batch, then store it with its stories in one transaction."""
    vectors = features([article for article, _ in batch], get_embedder(options.embedder), options.clustering)
    rows = []
    for (article, digest), feature in zip(batch, vectors):
        story_id = clusterer.add(article.id, feature)
        rows.append(StoredArticle(article=article, content_hash=digest, features=feature.to_bytes(), story_id=story_id))
    closed, clusterer.closed = clusterer.closed, []  # stories time moved past, during this batch or the restore
    store.add(rows, closed=closed, term_counts=clusterer.term_counts())
    result.added += len(rows)
    result.stories.update(row.story_id for row in rows)


def stored_story_report(store: Store, story_id: str, options=None):
    """The foundation's report of one stored story: its articles are one given story (no regrouping);
    the report keeps the store's id and headline, so it matches `newsfuse stories`."""
    from .pipeline import Options, build_report

    row, articles = store.story(story_id)
    for article in articles:
        article.cluster = row.id
    report = build_report(articles, options or Options())
    for story in report.stories:
        story.id, story.title = row.id, row.title or story.title
    return report
