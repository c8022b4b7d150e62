from yuqing.store.search import Query, _lexemes, tokens


def test_tokens_split_cjk_characters_and_keep_latin_words() -> None:
    assert tokens("covid-19 疫情通报2026") == ["covid", "19", "疫", "情", "通", "报", "2026"]


def test_lexemes_add_cjk_bigrams() -> None:
    assert _lexemes(tokens("舆情ab")) == ["ab", "情", "舆", "舆情"]


def test_query_is_normalised_and_quoted() -> None:
    q = Query.parse("  輿情  COVID ")
    assert q.words == ("舆情", "covid")
    assert q.fts5() == '"舆 情" AND "covid"'
    assert q.tsquery() == "'舆情' & 'covid'"


def test_single_character_and_long_words() -> None:
    assert Query.parse("医").tsquery() == "'医'"
    assert Query.parse("县医院").tsquery() == "'县医' & '医院'"


def test_punctuation_only_query_is_empty() -> None:
    assert not Query.parse(" ，。!? ")
    assert not Query.parse('"')
