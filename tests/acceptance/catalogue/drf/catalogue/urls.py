from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import AuthorBooks, Authors, Books, Checkout, Publishers, ReturnLoan, Reviews, Titles

api = DefaultRouter()
api.register("publishers", Publishers)
api.register("authors", Authors)
api.register("books", Books)
api.register("titles", Titles, basename="title")
api.register("reviews", Reviews)

urlpatterns = [
    path("api/", include(api.urls)),
    path("api/checkout/", Checkout.as_view(), name="checkout"),
    path("api/loans/<int:pk>/return/", ReturnLoan.as_view(), name="loan-return"),
    path("api/authors/<uuid:uid>/books/", AuthorBooks.as_view(), name="author-books"),
]
