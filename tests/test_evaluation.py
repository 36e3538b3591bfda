"""The figures the project promises, measured on the seeds and on its own gold set."""

from kg.evaluate import evaluate


def test_seeds_are_found_exactly(seeds):
    report = evaluate(seeds)
    assert report.references.f1 == 1.0
    assert report.relation("implements").f1 == 1.0
    assert report.all_relations.f1 == 1.0
    assert report.locality["wrong"] == 0


def test_own_gold_set_is_large_enough(own_gold):
    assert own_gold.texts >= 60


def test_own_gold_references(own_gold):
    assert own_gold.references.f1 >= 0.98


def test_own_gold_implements(own_gold):
    assert own_gold.relation("implements").f1 >= 0.95


def test_own_gold_all_relations(own_gold):
    assert own_gold.all_relations.f1 >= 0.90


def test_own_gold_never_places_a_document_in_the_wrong_province(own_gold):
    assert own_gold.locality["wrong"] == 0


def test_held_out_set_stays_close_to_the_development_set(heldout_report):
    assert heldout_report.texts == 20
    assert heldout_report.references.f1 >= 0.98
    assert heldout_report.relation("implements").f1 >= 0.90
    assert heldout_report.all_relations.f1 >= 0.85
    assert heldout_report.locality["wrong"] == 0
