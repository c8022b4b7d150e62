"""The emoticon-labelled comments that teach the sentiment model."""

from __future__ import annotations

from pathlib import Path

from tests.judge.training_data import write_ced
from yuqing.judge.emoticons import emoticon_label, emoticon_labelled


def test_a_writers_own_emoticons_label_their_words() -> None:
    assert emoticon_label("太感人了[泪]") == ("太感人了", "negative")
    assert emoticon_label("[哈哈]謝謝你們 @小王 http://t.cn/abc") == ("谢谢你们", "positive")
    assert emoticon_label("回复@张三:说得太好了[GOOD]") == ("说得太好了", "positive")


def test_a_repost_chain_is_someone_elses_and_mixed_or_unclear_codes_label_nothing() -> None:
    assert emoticon_label("支持一下[哈哈]//@李四:气死了[怒]") == ("支持一下", "positive")
    assert emoticon_label("这算什么//@李四:气死了[怒]") is None
    assert emoticon_label("又哭又笑的一天[哈哈][泪]") is None
    assert emoticon_label("真的假的[吃惊]") is None
    assert emoticon_label("好[泪]") is None  # too little left to learn from
    assert emoticon_label("没有表情的评论") is None


def test_labelled_comments_are_read_once_each_and_a_missing_file_gives_none(
    tmp_path: Path,
) -> None:
    assert emoticon_labelled(tmp_path) == []
    data = write_ced(tmp_path, ["太感人了[泪]", "太感人了[泪]", "好开心啊[哈哈]", "转发微博"])
    assert sorted(emoticon_labelled(data)) == [
        ("太感人了", "negative"),
        ("好开心啊", "positive"),
    ]
