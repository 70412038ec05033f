"""The blog's data, inserted once before every other scenario: no endpoint
creates authors or tags, and page views live in the analytics database.

Rows are written in Django's SQLite formats (datetimes as
'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC, UUIDs as 32 hex digits, booleans 0/1),
which restflow reads too.  Users (users.json): 1 ann, 2 ben, 3 cleo (staff),
4 dan (no author row), 5 eve (staff, no author row), 6 finn, 7 gus, 8 hal,
9 ivy.

Posts 1-14 are published (published_at 2024-01-01 ... 2024-01-14, distinct
creation times), 15-17 are drafts: 15 and 16 by ann, 17 by ivy."""
from dsl import SQL, scenario

AUTHORS = """
INSERT INTO blog_author (id, user_id, slug, display_name, bio, website, joined) VALUES
 (1, 1, 'ann', 'Ann Archer', 'Writes about gardens and bees.', 'https://ann.example/', '2023-01-01'),
 (2, 2, 'ben', 'Ben Brook', '', '', '2023-02-01'),
 (3, 3, 'cleo', 'Cleo Cole', 'Editor in chief.', '', '2023-03-01'),
 (4, 6, 'finn', 'Finn \u00d6sterberg', 'Rust and Python.', 'https://finn.example/', '2023-04-01'),
 (5, 9, 'ivy', 'Ivy Ives', '', '', '2023-05-01');
INSERT INTO blog_tag (id, name, slug) VALUES
 (1, 'Gardening', 'gardening'), (2, 'Bees', 'bees'), (3, 'Rust', 'rust'), (4, 'Python', 'python');
"""

TOPICS = ["gardens", "bees", "rust", "python", "compost", "hives", "borrowing", "typing"]


def _posts():
    rows = []
    for n in range(1, 15):
        author = [1, 2, 3, 4][n % 4]
        topic = TOPICS[n % len(TOPICS)]
        rows.append("(%d, %d, 'Notes on %s %d', 'notes-%s-%d', "
                    "'A long enough body about %s, number %d.', 'published', "
                    "'2024-01-%02d 10:00:00', '2023-12-%02d 09:00:00.%06d', '2024-01-%02d 10:00:00')"
                    % (n, author, topic, n, topic, n, topic, n, n, n, n * 1000, n))
    drafts = [(15, 1, "Draft about soil", "draft-soil"), (16, 1, "Draft about wax", "draft-wax"),
              (17, 5, "Ivy's first draft", "ivy-first")]
    for n, author, title, slug in drafts:
        rows.append("(%d, %d, '%s', '%s', '', 'draft', NULL, '2023-12-%02d 12:00:00', "
                    "'2023-12-%02d 12:00:00')" % (n, author, title.replace("'", "''"), slug, n, n))
    return ("INSERT INTO blog_posts (id, author_id, title, slug, body, status, published_at, "
            "created, updated) VALUES\n " + ",\n ".join(rows) + ";")


TAGGINGS = """
INSERT INTO blog_tagging (post_id, tag_id, tag_slug) VALUES
 (1, 2, 'bees'), (1, 1, 'gardening'), (2, 3, 'rust'), (3, 4, 'python'), (3, 3, 'rust'),
 (3, 1, 'gardening'), (14, 2, 'bees'), (15, 1, 'gardening');
"""

COMMENTS = """
INSERT INTO blog_comment (id, post_id, author_name, author_email, body, approved, created) VALUES
 (1, 1, 'Reader One', 'one@example.com', 'Lovely bees.', 1, '2024-02-01 08:00:00'),
 (2, 1, 'Reader Two', 'two@example.com', 'More please!', 1, '2024-02-02 08:00:00'),
 (3, 1, 'Spammer', 'spam@example.com', 'Buy things', 0, '2024-02-03 08:00:00'),
 (4, 2, 'R\u00e9mi', 'remi@example.com', '\u00c7a rouille.', 1, '2024-02-04 08:00:00'),
 (5, 3, 'Late', 'late@example.com', 'Waiting for approval', 0, '2024-02-05 08:00:00');
"""

PAGE_VIEWS = """
INSERT INTO blog_pageview (post_id, visitor, referrer, viewed_at) VALUES
 (1, '0b3e2f6a9c6d4e0f8a1b2c3d4e5f6071', 'https://search.example/?q=bees', '2024-03-01 10:00:00'),
 (1, '1c4f307bad7e4f109b2c3d4e5f607182', 'https://news.example/', '2024-03-02 10:00:00.5'),
 (1, '2d50418cbe8f4021ac3d4e5f60718293', NULL, '2024-03-03 10:00:00'),
 (1, '3e61529dcf9040329d4e5f60718293a4', 'https://a.example/', '2024-03-04 10:00:00'),
 (1, '4f7263aed0a14143ae5f60718293a4b5', 'https://b.example/', '2024-03-05 10:00:00'),
 (2, '5083740fe1b24254bf60718293a4b5c6', 'https://c.example/', '2024-03-06 10:00:00'),
 (99, '6194851af2c34365c0718293a4b5c6d7', 'https://d.example/', '2024-03-07 10:00:00');
"""

SCENARIOS = [
    scenario("fixture", "authors, tags, posts, taggings, comments and page views",
        SQL(AUTHORS + _posts() + TAGGINGS + COMMENTS, label="default-database"),
        SQL(PAGE_VIEWS, db="analytics", label="analytics-database"),
    ),
]
