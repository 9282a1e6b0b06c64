import datetime as dt
import io
import json
from html import escape

import pytest

from newsfuse.ingest import read_articles
from newsfuse.model import NewsfuseError

from conftest import SAMPLE

# The feeds below are the project's own invented text.
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Harbour Ledger</title>
  <link>https://ledger.example/</link>
  <item>
    <title>Inquiry ordered into barrier &amp; gate failure</title>
    <link>https://ledger.example/inquiry#top</link>
    <guid isPermaLink="false">ledger-2</guid>
    <pubDate>Wed, 11 Mar 2026 07:30:00 +0000</pubDate>
    <description>&lt;p&gt;The minister ordered an inquiry.&lt;/p&gt;&lt;p&gt;Findings are due by August.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Gate fails as tide floods Eastquay</title>
    <link>https://ledger.example/gate</link>
    <pubDate>Tue, 10 Mar 2026 06:10:00 +0000</pubDate>
    <description>Short teaser only.</description>
    <content:encoded><![CDATA[<div><p>Sea water poured into Eastquay.</p><script>track()</script><figure><figcaption>Photo: someone</figcaption></figure><p>214 residents left their homes.</p></div>]]></content:encoded>
  </item>
  <item>
    <title>A link with no text</title>
    <link>https://ledger.example/empty</link>
  </item>
  <item>
    <title>Wire copy</title>
    <link>https://wire.example/copy</link>
    <source url="https://wire.example/rss">Coastal Press Agency</source>
    <dc:date>2026-03-10T09:00:00Z</dc:date>
    <description>Plain text description from the agency.</description>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Northline Post</title>
  <entry>
    <title type="html">Barrier &lt;em&gt;fault&lt;/em&gt; traced to sensor</title>
    <link rel="alternate" href="https://northline.example/sensor"/>
    <link rel="edit" href="https://northline.example/edit/1"/>
    <id>tag:northline.example,2026:1</id>
    <updated>2026-03-12T08:00:00Z</updated>
    <published>2026-03-11T22:15:00-05:00</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Engineers found a faulty sensor.</p><p>Gate 3 was winched shut by hand.</p></div></content>
  </entry>
  <entry>
    <title>Summary only</title>
    <link href="https://northline.example/summary"/>
    <id>tag:northline.example,2026:2</id>
    <updated>2026-03-13T08:00:00Z</updated>
    <summary>A one-line summary of the day.</summary>
  </entry>
</feed>
"""


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_rss_items_become_articles_oldest_first_with_outlet_link_and_date(tmp_path):
    articles = read_articles([str(write(tmp_path, "ledger.rss", RSS))])
    assert [a.title for a in articles] == ["Gate fails as tide floods Eastquay", "Wire copy", "Inquiry ordered into barrier & gate failure"]
    gate, wire, inquiry = articles
    # content:encoded is preferred over the teaser; scripts and captions are dropped; paragraphs kept
    assert gate.paragraphs == ["Sea water poured into Eastquay.", "214 residents left their homes."]
    assert (gate.source, gate.url, gate.date) == ("Harbour Ledger", "https://ledger.example/gate", dt.date(2026, 3, 10))
    assert inquiry.paragraphs == ["The minister ordered an inquiry.", "Findings are due by August."]
    assert inquiry.date == dt.date(2026, 3, 11)
    assert wire.source == "Coastal Press Agency" and wire.date == dt.date(2026, 3, 10)  # the item's own <source>, dc:date
    assert all(a.id.startswith("ledger-") for a in articles) and len({a.id for a in articles}) == 3


def test_feed_article_ids_are_stable_across_snapshots_of_the_feed(tmp_path):
    first = {a.url: a.id for a in read_articles([str(write(tmp_path, "ledger.rss", RSS))])}
    shuffled = RSS.replace("<item>", "<item >", 1)  # same items, another snapshot of the file
    second = {a.url: a.id for a in read_articles([str(write(tmp_path / "..", "ledger.rss", shuffled))])}
    assert first == second


def test_atom_entries_with_xhtml_and_html_titles(tmp_path):
    sensor, summary = read_articles([str(write(tmp_path, "northline.atom", ATOM))])
    assert sensor.title == "Barrier fault traced to sensor"
    assert sensor.paragraphs == ["Engineers found a faulty sensor.", "Gate 3 was winched shut by hand."]
    assert sensor.url == "https://northline.example/sensor"  # the alternate link, not the edit link
    assert sensor.date == dt.date(2026, 3, 11)  # published, as the feed states it, over updated
    assert sensor.source == "Northline Post"
    assert summary.text == "A one-line summary of the day." and summary.url == "https://northline.example/summary"


def test_feed_in_a_directory_and_on_stdin(tmp_path, monkeypatch):
    write(tmp_path, "ledger.xml", RSS)
    write(tmp_path, "note.txt", "A title\n\nSome body text.\n")
    assert len(read_articles([str(tmp_path)])) == 4
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(ATOM.encode())))
    assert [a.source for a in read_articles(["-"])] == ["Northline Post", "Northline Post"]


def test_feed_declaring_its_own_encoding(tmp_path):
    path = tmp_path / "latin.xml"
    path.write_bytes(RSS.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("Eastquay.", "Eastquay café.").encode("latin-1"))
    assert "Eastquay café." in read_articles([str(path)])[0].text


@pytest.mark.parametrize("content, message", [
    ("<rss><channel><title>Broken</title><item></channel></rss>", "malformed XML at line 1"),
    ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<rss><channel><title>&xxe;</title></channel></rss>', "entities, which are refused"),
    ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<rss>&b;</rss>', "entities, which are refused"),
    ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url/></urlset>', "not an RSS or Atom feed (root element <urlset>)"),
    ("<rss><channel><title>Empty</title></channel></rss>", "feed has no items"),
    ("<rss><channel><title>T</title><item><title>Only a title</title></item></channel></rss>", "no feed item has any text"),
])
def test_bad_feeds_are_one_line_errors_naming_the_file(tmp_path, content, message):
    path = write(tmp_path, "bad.xml", content)
    with pytest.raises(NewsfuseError) as error:
        read_articles([str(path)])
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)
    assert "\n" not in str(error.value) and "root:" not in str(error.value)  # never the contents of /etc/passwd


def test_report_on_a_feed_of_the_sample_story_finds_the_story(tmp_path, cli):
    """The shipped sample's text articles, served as one RSS feed, form its story, the off-event one set apart."""
    items = []
    for path in sorted(SAMPLE.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        paragraphs = "".join(f"<p>{escape(p.strip())}</p>" for p in body.split("\n") if p.strip())
        items.append(f"<item><title>{escape(title)}</title><link>https://example.org/{path.stem}</link>"
                     f"<description>{escape(paragraphs)}</description></item>")
    feed = write(tmp_path, "sample.rss", f"<rss version='2.0'><channel><title>Sample wire</title>{''.join(items)}</channel></rss>")
    code, out, err = cli("report", feed, "--format", "json")
    assert code == 0, err
    (story,) = json.loads(out)["stories"]
    roles = {a["url"].rsplit("/", 1)[1]: a["role"] for a in story["articles"]}
    assert roles["07_estuary-weekly"] == "off_event"  # last September's barrier test is shown apart, not blended in
    assert [name for name, role in roles.items() if role != "off_event"] == [p.stem for p in sorted(SAMPLE.glob("0[1-6]*.txt"))]
    assert all(a["source"] == "Sample wire" for a in story["articles"])  # the channel is the outlet
