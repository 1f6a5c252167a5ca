from reporting.charts import Point, line_chart


def test_line_chart_draws_points_gaps_and_escapes_labels():
    svg = str(line_chart([Point("1 Sep", 95.0), Point("8 Sep", None), Point("<15 Sep>", 80.0)],
                         title="Attendance <by week>", reference=90, reference_label="90%"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "&lt;by week&gt;" in svg and "&lt;15 Sep&gt;" in svg and "<15 Sep>" not in svg
    assert svg.count("<polyline") == 2  # the gap splits the line
    assert 'stroke-dasharray' in svg
