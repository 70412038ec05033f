"""Listing: VenueEvents under the venue's UUID (Stream: a cursor named
`after` over -starts_at, 30 a page; DjangoFilterBackend on kind and
sold_out) and EventSearch (a city's events: iexact through the venue, sold
out ones excluded, NULL kept; Window: take/skip; search with the `$`
prefix; ordering; the get_queryset hook's ?min_price).  Searches
authenticate: Strangers allows anonymous clients ten requests a second."""
from dsl import GET, HEAD, POST, scenario

HALL, PETIT, OPERA, ZENITH = ("a0000000-0000-4000-8000-00000000000%d" % n for n in range(1, 5))


def venue_events(venue, query="", **options):
    return GET("/api/venues/%s/events/%s" % (venue, query), **options)


def search(city, query="", **options):
    return GET("/api/cities/%s/events/%s" % (city, query), basic="mo", **options)


SCENARIOS = [
    scenario("listing.cursor", "Stream over a venue's events, both directions",
        venue_events(ZENITH, expect=200, save={"next": "next"}, label="first-page"),
        GET("${next}", expect=200, save={"previous": "previous"}, label="second-page"),
        GET("${previous}", expect=200, label="back"),
        venue_events(ZENITH, "?after=bad", expect=404, label="invalid-cursor"),
        venue_events(ZENITH, "?after=cD0yMDI3LTA1LTIw", expect=200, label="hand-made-position"),
        venue_events(HALL, expect=200, label="hall"),
        HEAD("/api/venues/%s/events/" % HALL, expect=200, label="head"),
        venue_events("a0000000-0000-4000-8000-000000000099", expect=200, label="unknown-venue"),
        venue_events(HALL, "?ordering=title", expect=200, label="no-ordering-filter"),
        POST("/api/venues/%s/events/" % HALL, json={}, expect=405, label="read-only"),
        GET("/api/venues/%s/events/2/?format=api" % HALL, expect=200, label="browsable",
            skip={"body": "the browsable API's HTML holds a random CSRF token"}),
    ),
    scenario("listing.filters", "filterset_fields: kind (choices), sold_out (nullable)",
        venue_events(HALL, "?kind=2", expect=200, label="kind"),
        venue_events(ZENITH, "?kind=3", expect=200, label="kind-on-a-long-list"),
        venue_events(HALL, "?kind=4", expect=400, label="kind-not-a-choice"),
        venue_events(HALL, "?kind=x", expect=400, label="kind-not-a-number"),
        venue_events(HALL, "?kind=", expect=200, label="kind-empty"),
        venue_events(HALL, "?sold_out=true", expect=200, label="sold-out-true"),
        venue_events(HALL, "?sold_out=false", expect=200, label="sold-out-false"),
        venue_events(HALL, "?sold_out=maybe", expect=200, label="sold-out-not-a-boolean"),
        venue_events(PETIT, "?sold_out=0&kind=1", expect=200, label="two-filters"),
        venue_events(HALL, "?title=Gala", expect=200, label="not-a-filter"),
    ),
    scenario("listing.search", "EventSearch: the city, search, ordering, take/skip, min_price",
        search("lyon", expect=200, label="city-iexact"),
        search("LYON", "?take=3", expect=200, save={"next": "next"}, label="take"),
        GET("${next}", basic="mo", expect=200, label="next"),
        search("lyon", "?take=3&skip=6", expect=200, label="skip"),
        search("lyon", "?take=0&skip=-1", expect=200, label="take-zero"),
        search("lyon", "?take=x&skip=x", expect=200, label="not-numbers"),
        search("lyon", "?skip=100", expect=200, label="past-the-end"),
        search("paris", expect=200, label="paris"),
        search("nowhere", expect=200, label="no-city"),
        search("lyon", "?search=talk", expect=200, label="search"),
        search("lyon", "?search=TALK%20compost", expect=200, label="search-two-terms"),
        search("lyon", "?search=^R.st", expect=200, label="search-regex"),
        search("lyon", "?search=%5EZ", expect=200, label="search-anchored"),
        search("lyon", "?search=%C3%9Cmlaut", expect=200, label="search-non-ascii"),
        search("lyon", "?ordering=price,-starts_at", expect=200, label="ordering"),
        search("lyon", "?ordering=-price,starts_at", expect=200, label="ordering-two"),
        search("lyon", "?ordering=title", expect=200, label="ordering-not-allowed"),
        search("lyon", "?ordering=-starts_at&search=talk&take=2", expect=200,
               label="ordering-search-take"),
        search("lyon", "?min_price=10", expect=200, label="min-price"),
        search("lyon", "?min_price=10.5&ordering=price,starts_at", expect=200,
               label="min-price-decimal"),
        search("lyon", "?min_price=abc", expect=400, label="min-price-not-a-number"),
        search("lyon", "?min_price=", expect=400, label="min-price-empty"),
        GET("/api/cities/lyon/events/?take=2", expect=200, label="anonymous"),
    ),
]
