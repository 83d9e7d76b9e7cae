from django import forms

# The name search every list page has: case-insensitive, over all pages.
NAME_SEARCH = forms.TextInput(attrs={"placeholder": "Search by name", "type": "search", "aria-label": "Search by name"})
