"""Recipes are checked before any work starts, with suggestions."""

from __future__ import annotations

import pytest

from taosha.catalog import STEPS, step_class
from taosha.errors import RecipeError
from taosha.recipe import builtin_recipes, load_recipe, parse_recipe, parse_size


def test_builtin_zh_web_loads_and_round_trips_through_yaml(tmp_path):
    recipe = load_recipe()
    assert recipe.name == "zh-web" and "zh-web" in builtin_recipes()
    path = tmp_path / "copy.yaml"
    path.write_text(recipe.to_yaml(), encoding="utf-8")
    assert load_recipe(path).to_json() == recipe.to_json()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"steps": [{"lenght_filter": {}}]}, "unknown step 'lenght_filter'; did you mean 'length_filter'?"),
        ({"steps": [{"length_filter": {"min_char": 3}}]}, "unknown parameter 'min_char'; did you mean 'min_chars'?"),
        ({"steps": [{"length_filter": {"min_chars": "many"}}]}, "parameter 'min_chars': expected a whole number"),
        ({"steps": [{"length_filter": {"min_chars": 50, "max_chars": 10}}]}, "min_chars <= max_chars"),
        ({"steps": [{"exact_dedup": {"case": "yes"}}]}, "expected true or false"),
        ({"steps": []}, "non-empty list"),
        ({"step": []}, "unknown key 'step'; did you mean 'steps'?"),
        ({"steps": [{"length_filter": {}}], "output": {"format": "jsonl.gzip"}}, "did you mean 'jsonl.gz'?"),
        ({"steps": [{"length_filter": {}, "exact_dedup": {}}]}, "one-key mapping"),
    ],
)
def test_bad_recipes_are_reported_with_place_and_suggestion(data, message):
    with pytest.raises(RecipeError) as info:
        parse_recipe(data, where="r.yaml")
    assert message in str(info.value) and str(info.value).startswith("r.yaml")


def test_repeated_steps_get_distinct_labels_and_sizes_parse():
    recipe = parse_recipe({"input": {"shard_size": "8MB"}, "steps": ["length_filter", {"length_filter": {"min_chars": 5}}]})
    assert [label for label, _ in recipe.steps] == ["length_filter", "length_filter_2"]
    assert recipe.input.shard_size == 8 << 20 and parse_size("1.5 GiB") == 3 << 29


def test_unknown_builtin_recipe_suggests():
    with pytest.raises(RecipeError, match="did you mean 'zh-web'"):
        load_recipe("zh_web")


def test_every_catalog_entry_imports_and_names_itself():
    for name in STEPS:
        assert step_class(name).name == name
