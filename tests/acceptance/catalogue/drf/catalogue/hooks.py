"""catalogue.rflow's C hooks in Python (catalogue_hooks.c's header says what
each does)."""
import datetime

from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from .models import Loan


def catalogue_validate_due(value):
    if value < datetime.date(2020, 1, 1):
        raise serializers.ValidationError("Due dates start in 2020.")
    return value


def catalogue_my_loans(view):
    loans = Loan.objects.filter(borrower=view.request.user, returned=False)
    return view.paginated_response(loans)


def catalogue_checkout(view):
    request = view.validated_serializer()
    book = request.validated_data["book"]
    if Loan.objects.filter(book=book, returned=False).exists():
        raise serializers.ValidationError({"book": ["This book is already on loan."]})
    loan = Loan.objects.create(book=book, borrower=view.request.user,
                               due=request.validated_data["due"])
    return view.serialized_response(loan, status=status.HTTP_201_CREATED)


def catalogue_return(view, pk):
    loan = Loan.objects.filter(pk=pk, borrower=view.request.user).first()
    if loan is None:
        raise NotFound()
    if loan.returned:
        return Response({"detail": "This loan is already returned."},
                        status=status.HTTP_400_BAD_REQUEST)
    loan.returned = True
    loan.save()
    return view.serialized_response(loan)
