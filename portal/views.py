"""Thin views for the portal's own pages."""
from django.shortcuts import render


def home(request):
    return render(request, "portal/home.html")
