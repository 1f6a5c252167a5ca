from schools.common.charts import Point, line_chart


def test_line_chart_draws_points_gaps_and_escapes_labels():
    svg = str(line_chart([Point("1 Sep", 95.0), Point("8 Sep", None), Point("<15 Sep>", 80.0)],
                         title="Attendance <by week>", reference=90, reference_label="90%"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "&lt;by week&gt;" in svg and "&lt;15 Sep&gt;" in svg and "<15 Sep>" not in svg
    assert svg.count("<polyline") == 2  # the gap splits the line
    assert 'stroke-dasharray' in svg


def test_bar_chart_stacks_groups_and_escapes_labels():
    from schools.common.charts import Series, bar_chart

    svg = str(bar_chart(["Olu <Officer>", "Pat"], [Series("Statutory", [30, 20]), Series("Traded", [10.5, 0])],
                        title="Time <split>", value_suffix=" days"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "&lt;split&gt;" in svg and "&lt;Officer&gt;" in svg
    assert svg.count("<rect") == 2 + 3  # two legend keys, three non-zero segments
    assert "40.5 days" in svg and "20 days" in svg  # row totals
    grouped = str(bar_chart(["A"], [Series("x", [1]), Series("y", [-2])], title="Grouped", stacked=False))
    assert grouped.count("<rect") == 2 + 2 and ">0</text>" in grouped and "-2" not in grouped  # below zero: zero
