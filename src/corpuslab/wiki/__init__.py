"""Wikipedia and Wikidata dumps: articles with link spans, redirects, sitelinks, title normalisation."""

from corpuslab.wiki.extract import extract_dump, iter_articles, iter_pages
from corpuslab.wiki.titles import Namespaces, normalize_title

__all__ = ["Namespaces", "extract_dump", "iter_articles", "iter_pages", "normalize_title"]
