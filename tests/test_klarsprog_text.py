"""The Danish tokeniser and LIX, on texts counted by hand.

LIX = words / sentences + 100 × long words / words; a long word has more than 6 letters.
Each test writes the hand count out. The textstat failures that made us write our own
tokeniser (full stops in f.eks., kl. 10.30 and 3. marts ending sentences; colons and line breaks
never ending one; hyphens deleted so CT-scanning and 10.30 change) are regression cases here.
"""
import pytest

from audit.textextract import text_from_markdown, text_from_plain
from core.klarsprog.text import Block, analyse, lix_band, lix_of


def sentences(a):
    return [a.text[s.start:s.end] for s in a.sentences]


def words_of(a):
    return [a.text[s:e] for s, e, _ in a.tokens]


def analyse_artifact(art):
    blocks = [Block(*b) for b in art["blocks"]]
    return analyse(art["text"], blocks)


def test_abbreviations_times_and_dates_do_not_end_sentences():
    text = ("Mød op kl. 10.30 den 3. marts 2026. Tag f.eks. en bog med, bl.a. til ventetiden. "
            "Ring på tlf. 35 45 10 00, hvis du er forsinket.")
    a = analyse(text, [Block(0, len(text))])
    assert sentences(a) == ["Mød op kl. 10.30 den 3. marts 2026.",
                            "Tag f.eks. en bog med, bl.a. til ventetiden.",
                            "Ring på tlf. 35 45 10 00, hvis du er forsinket."]
    # S1: Mød op kl 10.30 den 3 marts 2026 = 8 words, 0 long
    # S2: Tag f.eks en bog med bl.a til ventetiden = 8 words, 1 long (ventetiden)
    # S3: Ring på tlf 35 45 10 00 hvis du er forsinket = 11 words, 1 long (forsinket)
    assert [s.n_tokens for s in a.sentences] == [8, 8, 11]
    assert [s.long_words for s in a.sentences] == [0, 1, 1]
    assert "10.30" in words_of(a) and "f.eks" in words_of(a)
    # 27 / 3 + 100 × 2 / 27 = 9 + 7.41 = 16.4
    assert a.lix() == 16.4


def test_headings_and_bullet_lists_end_sentences_and_lix_without_headings():
    md = ("# Før din CT-scanning\n\nDu skal faste i 4 timer før undersøgelsen.\n\n"
          "- Tag din medicin som normalt\n- Medbring en liste over din medicin\n")
    a = analyse_artifact(text_from_markdown(md))
    assert sentences(a) == ["Før din CT-scanning", "Du skal faste i 4 timer før undersøgelsen.",
                            "Tag din medicin som normalt", "Medbring en liste over din medicin"]
    # heading: Før din CT-scanning = 3 words, 1 long (CT-scanning: 10 letters, one word)
    # Du skal faste i 4 timer før undersøgelsen = 8 words, 1 long (undersøgelsen)
    # Tag din medicin som normalt = 5 words, 2 long (medicin, normalt)
    # Medbring en liste over din medicin = 6 words, 2 long (Medbring, medicin)
    assert [s.n_tokens for s in a.sentences] == [3, 8, 5, 6]
    assert [s.long_words for s in a.sentences] == [1, 1, 2, 2]
    assert a.lix() == 32.8                       # 22/4 + 100×6/22 = 5.5 + 27.27
    assert a.lix(headings=False) == 32.6         # 19/3 + 100×5/19 = 6.33 + 26.32
    assert lix_band(a.lix()) == "easy"


def test_urls_emails_and_colons():
    text = ("Læs mere på www.regiondemo.dk/ct. Skriv til ct-ambulatoriet@regiondemo.dk: "
            "Vi svarer inden for 2 hverdage.")
    a = analyse(text, [Block(0, len(text))])
    assert sentences(a) == ["Læs mere på www.regiondemo.dk/ct.", "Skriv til ct-ambulatoriet@regiondemo.dk:",
                            "Vi svarer inden for 2 hverdage."]
    assert words_of(a)[3] == "www.regiondemo.dk/ct" and words_of(a)[6] == "ct-ambulatoriet@regiondemo.dk"
    # 4 + 3 + 6 = 13 words; URL and e-mail are never long; 1 long (hverdage)
    assert [s.long_words for s in a.sentences] == [0, 0, 1]
    assert a.lix() == 12.0                       # 13/3 + 100/13 = 4.33 + 7.69


def test_every_line_of_a_letter_is_a_sentence():
    text = "Region Demo\nBlegdamsvej 9\n2100 København Ø\n\nKære Anna Hansen\nDu er indkaldt til en samtale.\n"
    a = analyse_artifact(text_from_plain(text))
    assert sentences(a) == ["Region Demo", "Blegdamsvej 9", "2100 København Ø", "Kære Anna Hansen",
                            "Du er indkaldt til en samtale."]
    # 2 + 2 + 3 + 3 + 6 = 16 words; long: Blegdamsvej, København, indkaldt, samtale = 4
    assert a.words == 16 and a.long_words == 4
    assert a.lix() == 28.2                       # 16/5 + 100×4/16 = 3.2 + 25


def test_hard_wrapped_prose_continues_on_a_lower_case_line():
    a = analyse_artifact(text_from_plain("Du skal møde\nop i god tid.\nHusk dit sygesikringskort."))
    assert sentences(a) == ["Du skal møde\nop i god tid.", "Husk dit sygesikringskort."]


@pytest.mark.parametrize("text, expected", [
    ("Kom den 3. Marts kl. 9.", ["Kom den 3. Marts kl. 9."]),                 # ordinal before a month
    ("Vi ses i uge 12. Husk kortet.", ["Vi ses i uge 12.", "Husk kortet."]),   # a number that ends one
    ("Spørg H.C. Andersen om det.", ["Spørg H.C. Andersen om det."]),         # initials
    ("Spørg Jens P. Hansen om det.", ["Spørg Jens P. Hansen om det."]),
    ("Gå til afsnit B. Du bliver hentet.", ["Gå til afsnit B.", "Du bliver hentet."]),
    ("Det koster kr. 500 i alt.", ["Det koster kr. 500 i alt."]),             # kr. before a number
    ("Det koster 20 kr. Husk kortet.", ["Det koster 20 kr.", "Husk kortet."]),
    ("Tag tøj, sko osv. Det er vigtigt.", ["Tag tøj, sko osv.", "Det er vigtigt."]),
    ("Husk: Kom i god tid.", ["Husk:", "Kom i god tid."]),                   # colon, capital
    ("Tid: kl. 10.30", ["Tid: kl. 10.30"]),                                  # colon, lower case
    ("Ja. Nej! Hvad? Ok.", ["Ja.", "Nej!", "Hvad?", "Ok."]),                 # short sentences count
    ("Han sagde: »Kom nu.« Så gik han.", ["Han sagde:", "»Kom nu.«", "Så gik han."]),
    ("Prisen er 5.678 kr. pr. år.", ["Prisen er 5.678 kr. pr. år."]),
])
def test_sentence_boundaries(text, expected):
    assert sentences(analyse(text, [Block(0, len(text))])) == expected


def test_words_hyphens_and_numbers():
    text = "CT-scanningen varer 10.30-11.00 i 3-værelses lejligheder og koster 1,5 mio."
    a = analyse(text, [Block(0, len(text))])
    assert words_of(a) == ["CT-scanningen", "varer", "10.30-11.00", "i", "3-værelses", "lejligheder", "og",
                           "koster", "1,5", "mio"]
    long = [w for w, flag in zip(words_of(a), a.long_flags, strict=True) if flag]
    assert long == ["CT-scanningen", "lejligheder"]      # numbers, 3-værelses included, never long


@pytest.mark.parametrize("lix, band", [(24, "very_easy"), (24.4, "very_easy"), (24.5, "easy"), (34.4, "easy"),
                                       (34.6, "medium"), (44, "medium"), (45, "hard"), (54.4, "hard"),
                                       (55, "very_hard"), (80, "very_hard")])
def test_lix_bands(lix, band):
    assert lix_band(lix) == band


def test_lix_of_nothing_is_none():
    assert lix_of(0, 0, 0) is None
    assert analyse("", []).lix() is None
