"""Listing products: PageNumberPagination (Pages) edge cases, the
DjangoFilterBackend, SearchFilter and OrderingFilter of the Products viewset
(conformance.md, Pagination and Filtering).

The fixture inserts 45 top products whose description holds "pagetest"
(every query here searches for it, so products other scenarios create do
not show) with distinct prices and creation times, so that every ordering
is total, plus three that are not top and must never be listed."""
from dsl import GET, SQL, scenario


def _fixture():
    rows = []
    for i in range(1, 46):
        rows.append("('Widget %02d', 'pagetest item %d', '%.2f', 1, %d, "
                    "'2020-01-01 00:%02d:00', '2020-01-01 00:%02d:00')"
                    % (i, i, 0.5 + 1.25 * ((i * 7) % 45), 1 + i % 3, i, i))
    specials = [("Discount 100% off", "pagetest percent", "99.01"),
                ("snake_case widget", "pagetest underscore", "99.02"),
                ("\u00dcmlaut \u00c4rger", "pagetest unicode", "99.03"),
                ("Comma, name", "pagetest comma", "99.04")]
    for n, (name, description, price) in enumerate(specials, 1):
        rows.append("('%s', '%s', '%s', 1, NULL, '2020-01-02 00:00:%02d', "
                    "'2020-01-02 00:00:%02d')" % (name, description, price, n, n))
    for n in range(1, 4):
        rows.append("('Not top %d', 'pagetest hidden', '1.00', 0, NULL, "
                    "'2020-01-03 00:00:0%d', '2020-01-03 00:00:0%d')" % (n, n, n))
    return SQL("INSERT INTO products (name, description, price, is_top, owner_id, created_at, "
               "updated_at) VALUES " + ",\n".join(rows), label="fixture")


def page(query, expect=200, **options):
    return GET("/api/products/?search=pagetest" + query, expect=expect, **options)


SCENARIOS = [
    scenario("listing.pages", "page numbers: first, middle, last, past the end, invalid",
        _fixture(),
        page("", label="first"),
        page("&page=2", label="second"),
        page("&page=3", label="last"),
        page("&page=last", label="last-keyword"),
        page("&page=4", expect=404, label="past-the-end"),
        page("&page=0", expect=404, label="zero"),
        page("&page=-1", expect=404, label="negative"),
        page("&page=abc", expect=404, label="not-a-number"),
        page("&page=1.5", expect=404, label="fraction"),
        page("&page=", expect=404, label="empty"),
        page("&page=2&page=3", label="repeated-param"),
        page("&page=%201", label="padded"),
        page("&zzz=1&aaa=2&page=2", label="params-kept-and-sorted"),
        GET("/api/products/?search=nothing-matches", label="empty-first-page"),
        GET("/api/products/?search=nothing-matches&page=2", expect=404, label="empty-second-page"),
        GET("/api/products/?search=nothing-matches&page=last", label="empty-last"),
    ),
    scenario("listing.page-size", "page_size_query_param and max_page_size",
        page("&page_size=5", label="five"),
        page("&page_size=5&page=2", label="five-second"),
        page("&page_size=5&page=10", label="five-last"),
        page("&page_size=5&page=11", expect=404, label="five-past-the-end"),
        page("&page_size=1&page=last", label="one-last"),
        page("&page_size=0", label="zero-falls-back"),
        page("&page_size=-3", label="negative-falls-back"),
        page("&page_size=abc", label="invalid-falls-back"),
        page("&page_size=", label="empty-falls-back"),
        page("&page_size=100", label="max"),
        page("&page_size=1000", label="capped"),
        page("&page_size=2.5", label="fraction-falls-back"),
    ),
    scenario("listing.filters", "filterset_fields = [is_top, price]",
        page("&price=10.50", label="price"),
        page("&price=10.5", label="price-short"),
        page("&price=1.05e1", label="price-exponent"),
        page("&price=abc", expect=400, label="price-invalid"),
        page("&price=", label="price-empty-ignored"),
        page("&price=1.005", label="price-more-places"),
        page("&is_top=true", label="is-top-true"),
        page("&is_top=True", label="is-top-capitalised"),
        page("&is_top=1", label="is-top-one"),
        page("&is_top=false", label="is-top-false"),
        page("&is_top=maybe", label="is-top-invalid-ignored"),
        page("&owner=1", label="not-a-filter"),
        page("&price=abc&is_top=maybe", expect=400, label="errors-together"),
        page("&price=10.50&page=2", expect=404, label="filter-then-paginate"),
    ),
    scenario("listing.search", "search_fields = [name, description]: terms, case, wildcards",
        GET("/api/products/?search=pagetest%2007", label="two-terms"),
        GET("/api/products/?search=pagetest,07", label="comma"),
        GET("/api/products/?search=PAGETEST&page_size=3", label="case-insensitive"),
        GET("/api/products/?search=100%25", label="percent-is-literal"),
        GET("/api/products/?search=snake_", label="underscore-is-literal"),
        GET("/api/products/?search=%25", label="percent-alone"),
        GET("/api/products/?search=%C3%BCmlaut", label="non-ascii-case"),
        GET("/api/products/?search=%C3%9Cmlaut", label="non-ascii"),
        GET("/api/products/?search=%22Widget%2007%22", label="quotes-are-characters"),
        GET("/api/products/?search=Comma,%20name", label="comma-in-a-name"),
        GET("/api/products/?search=widget+item", label="terms-across-fields"),
        GET("/api/products/?search=pagetest%00&page_size=2", label="null-character"),
        GET("/api/products/?search=hidden", label="not-top-never-listed"),
        GET("/api/products/?search=", label="empty"),
        GET("/api/products/?search=%20%20", label="blank"),
    ),
    scenario("listing.ordering", "ordering_fields = [price, created_at], default -created_at",
        page("&page_size=6", label="default"),
        page("&page_size=6&ordering=price", label="price"),
        page("&page_size=6&ordering=-price", label="price-descending"),
        page("&page_size=6&ordering=created_at", label="created"),
        page("&page_size=6&ordering=-price,created_at", label="two-fields"),
        page("&page_size=6&ordering=name", label="not-allowed-ignored"),
        page("&page_size=6&ordering=-id", label="id-not-allowed"),
        page("&page_size=6&ordering=name,price", label="allowed-kept"),
        page("&page_size=6&ordering=", label="empty"),
        page("&page_size=6&ordering=%20price", label="spaces-stripped"),
        page("&page_size=6&ordering=--price", label="double-minus"),
        page("&page_size=6&ordering=latest_review", label="attribute-not-a-field"),
        page("&page_size=6&ordering=Price", label="case-sensitive"),
        page("&page_size=6&ordering=price&page=2", label="ordering-in-links"),
    ),
]
