"""The results chart's geometry: whole titles wrapped into lines, rows one below the other."""

from types import SimpleNamespace

from pbengine.services.chart import LINE_WIDTH, chart, text_width, wrap

LONG = "Spółdzielnia socjalna: naprawa rowerów i warsztaty zawodowe dla młodzieży z Nowej Huty — funded"


def test_a_long_title_is_wrapped_in_full_and_a_word_longer_than_a_line_is_cut_not_lost():
    lines = wrap(LONG)
    assert len(lines) > 1 and all(text_width(line) <= LINE_WIDTH for line in lines)
    assert " ".join(lines) == LONG
    word = "Energooszczędnamodernizacjaświetlicyosiedlowej"
    assert "".join(wrap(word)) == word and all(text_width(line) <= LINE_WIDTH for line in wrap(word))
    assert len(wrap("WWWWWWWWWW MMMMMMMMMM WWWWWWWWWW")) == 3  # wide letters make shorter lines


def test_rows_follow_each_other_and_bars_are_proportional_to_votes():
    outcomes = [SimpleNamespace(title=LONG, votes=4), SimpleNamespace(title="Repair café", votes=2),
                SimpleNamespace(title="Nobody's", votes=0)]
    drawn = chart(outcomes)
    first, second, third = drawn.rows
    assert first.line_y[-1] < first.meta_y < first.bar_y < second.line_y[0] < second.bar_y < third.line_y[0]
    assert (first.bar_width, second.bar_width, third.bar_width) == (100, 50, 0.5)
    assert drawn.height > third.bar_y
