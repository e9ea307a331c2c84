"""One way to quote a third-party error inside our own messages: ``errors.one_line``."""

from pumap_core.errors import InvalidDataError, one_line


def test_one_line_keeps_the_first_line_with_spaces_squeezed():
    exc = ValueError("\n  Unable   to open\tfile 'x.parquet'  \nTraceback...\nmore")
    assert one_line(exc) == "Unable to open file 'x.parquet'"


def test_one_line_of_errors_without_text_names_their_class():
    assert one_line(KeyError()) == "KeyError"
    assert one_line("") == ""


def test_one_line_gives_our_own_message_and_cuts_long_text():
    assert one_line(InvalidDataError("The file is empty.")) == "The file is empty."
    cut = one_line("word " * 100, limit=40)
    assert len(cut) == 40 and cut.endswith("…")
