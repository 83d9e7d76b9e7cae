"""Target VM names (guide §2.4): the automatic renaming, and telling why a name is invalid."""

import pytest

from plans.naming import is_valid_name, kubernetes_name, why_invalid

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("source,target", [
    ("web-01", "web-01"),
    ("Legacy_App.Server01", "legacy-appserver01"),     # capitals, underscore, dot
    ("My VM (prod)", "myvmprod"),                       # spaces and brackets dropped
    ("db.example.com", "dbexamplecom"),                 # dots dropped: VM names may not have them
    ("__init__", "init"),                               # leading and trailing dashes trimmed
    ("-edge-", "edge"),
    ("ÜBER-vm", "ber-vm"),                              # non-ASCII letters are excluded characters
    ("!!!", "vm"),                                      # nothing left: a usable name anyway
    ("a" * 300, "a" * 253),                             # cut to 253
    ("a" * 252 + "_b", "a" * 252),                      # cut, then no trailing dash
])
def test_automatic_name(source, target):
    assert kubernetes_name(source) == target
    assert is_valid_name(target)


def test_a_name_taken_in_the_target_namespace_gets_a_distinct_one():
    taken = {"legacy-appserver01", "legacy-appserver01-2"}
    assert kubernetes_name("Legacy_App.Server01", taken) == "legacy-appserver01-3"
    long_taken = {"a" * 253}
    renamed = kubernetes_name("A" * 300, long_taken)
    assert renamed == "a" * 251 + "-2" and is_valid_name(renamed)


@pytest.mark.parametrize("name,reason", [
    ("Web01", "capital letters"),
    ("web_01", "'_'"),
    ("web.01", "'.'"),
    ("web 01", "' '"),
    ("-web", "starts or ends with '-'"),
    ("web-", "starts or ends with '-'"),
    ("a" * 254, "254 characters"),
    ("", "empty"),
])
def test_why_a_name_is_invalid(name, reason):
    assert not is_valid_name(name)
    assert reason in why_invalid(name)


def test_valid_names_have_no_reason():
    assert is_valid_name("web-01") and why_invalid("web-01") == ""
    assert is_valid_name("a" * 253) and why_invalid("a" * 253) == ""  # the longest a name may be
