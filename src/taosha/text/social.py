"""Social-media (Sina Weibo) markup, each kind with its own policy.

=================  =========================================  ==================================
markup             policies                                   default, and why
=================  =========================================  ==================================
``[表情]`` codes    keep, strip                                strip: an image on the site, a
                                                              bracketed word in text
``//@用户:`` chains keep, markers, own                          own: the quoted texts are other
                                                              people's posts, crawled again
                                                              elsewhere in the same thread
``#话题#`` tags     keep, unwrap, strip                         keep: the topic is often a part of
                                                              the sentence ("#武汉加油#大家...")
``t.cn`` links,    keep, strip, replace (``[链接]``)            strip: dead short links and their
link stubs                                                    "网页链接"/"…的秒拍视频" stubs
``@mentions``      keep, strip, replace (``@用户``)             keep: a handle ends only at a
                                                              space or punctuation, so stripping
                                                              can eat words; PII steps own handles
``转发微博``         keep, strip                                strip: the site's default repost text
=================  =========================================  ==================================

Emoticon codes are matched from a list of Weibo's own codes (with their traditional forms) and the
prefixed codes of its themed sets (``[lxhx泪目]``); a generic ``[1-6 characters]`` pattern would also
remove web-page labels such as ``[参考价格]`` and ``[石嘴山市]``, which are common in crawled pages.

>>> strip_emoticons("太感动了[泪][泪]，支持[good][lxhx泪目]！[参考价格]")
'太感动了，支持！[参考价格]'
>>> repost_chain("说得好//@张三:转发微博//@李四: 原文在这里", "own")
'说得好'
>>> repost_chain("//@张三:转发微博//@李四: 原文在这里", "own")
'原文在这里'
>>> repost_chain("//@坏黑世界 :转发微博//@李四 : 原文", "own"), repost_chain("[憧憬]//@李四:平安归来！[心]", "own")
('原文', '平安归来！[心]')
>>> repost_chain("说得好//@张三:顶//@李四: 原文", "markers")
'说得好\\n顶\\n原文'
>>> topics("#武汉加油# 大家一起努力 #C#", "unwrap"), topics("#武汉加油#大家", "strip")
('武汉加油 大家一起努力 #C#', '大家')
>>> short_links("快看 http:t.cn/RxYz12a 视频L张三的秒拍视频 ...展开全文c", "strip")
'快看 视频'
>>> mentions("回复@王小明:好的 邮件 a@b.com", "replace")
'回复@用户:好的 邮件 a@b.com'
>>> repost_text("转发微博"), repost_text("转发微博。"), repost_text("好消息！转发微博")
('', '', '好消息！')
"""

from __future__ import annotations

import re

from taosha.text.cjk import CJK

# Sina Weibo's default emoticon set (names as typed), their traditional-script forms, and a few
# older and themed codes.  Written by hand from the site's emoticon panel; extend as needed.
WEIBO_EMOTICONS = frozenset(
    """
    微笑 嘻嘻 哈哈 可爱 可怜 挖鼻 挖鼻屎 吃惊 害羞 挤眼 闭嘴 鄙视 爱你 泪 泪流满面 偷笑 亲亲 生病 太开心
    白眼 右哼哼 左哼哼 嘘 衰 委屈 吐 哈欠 打哈气 打哈欠 抱抱 怒 愤怒 疑问 馋嘴 拜拜 思考 汗 巨汗 困 睡 睡觉
    钱 失望 酷 色 哼 鼓掌 晕 悲伤 伤心 抓狂 黑线 阴险 怒骂 互粉 心 伤心 猪头 熊猫 兔子 ok good 耶 赞 来
    弱 握手 拳头 胜利 威武 围观 群体围观 给力 浮云 神马 话筒 蜡烛 蛋糕 礼物 月亮 太阳 微风 下雨 沙尘暴 雪 雪人
    落叶 钟 干杯 绿丝带 爱心传递 囧 好囧 织 萌 最差 最右 笑cry 二哈 允悲 费解 摊手 跪了 吃瓜 doge 喵喵 污
    并不简单 坏笑 憧憬 哆啦A梦吃惊 哆啦A梦汗 加油 中国赞 心碎 惊恐 感冒 作揖 祈祷 鲜花 给你小心心 米奇比心
    得意地笑 眼泪 好爱哦 大哭 做鬼脸 偷乐 强 羞嗒嗒 震惊 好喜欢 草泥马 顶 帅 害怕 飞机 手套 许愿 噢耶 花痴
    飞吻 崩溃 书呆子 傻眼 咖啡 好棒 脸红 惊讶 玫瑰 强壮 赞啊 汽车 闪电 打脸 照相机 抠鼻屎 温暖帽子 喜 傻笑
    求关注 女孩儿 男孩儿 吐舌头 爱你哦 马到成功 吐血 笑而不语 星星眼 大红灯笼 小嘴 吓到了 闭眼 飞个吻 不好意思
    礼花 带感 好激动 心形礼物 得瑟 哇哈哈 给劲 难过 斜眼 发红包 坏笑 爱心发光 拍手 撒花 互相膜拜 大笑 生气
    四叶草 流泪 紧张 悲催 hold住 走你 骷髅 笑哈哈 呵呵 可爱 haha 爱心 转发 挤眼
    淚 愛你 吃驚 蠟燭 話筒 給力 圍觀 貼 鄙視 可憐 悲傷 黑線 太開心 中國贊 親親 抓狂 暈 偷笑 鼓掌 嘻嘻 哈哈 哼
    """.split()
)
# Themed sets prefix a short Latin tag: [lxhx泪目] [moc转发] [bm可爱] [din推撞] [xkl转圈].
_EMOTICON_RE = re.compile(r"\[([A-Za-z]{0,4}[\u4e00-\u9fffA-Za-z]{1,6})\]")
_PREFIXED = re.compile(r"[a-z]{1,4}[\u4e00-\u9fff]{1,5}")


def _emoticon(m: re.Match[str]) -> str:
    name = m.group(1)
    return "" if name in WEIBO_EMOTICONS or _PREFIXED.fullmatch(name) else m.group()


def strip_emoticons(text: str) -> str:
    """Remove Weibo emoticon codes such as ``[哈哈]``; other bracketed words stay."""
    if "[" not in text:
        return text
    return _EMOTICON_RE.sub(_emoticon, text)


_CHAIN_RE = re.compile(r"//@[^:：\s/]{1,30}\s?[:：]\s*")
_REPOST_DEFAULT = re.compile(r"^(?:转发微博|轉發微博|Repost|转发|轉發)?[\s。.]*$")


def repost_chain(text: str, policy: str) -> str:
    """Handle ``//@user:`` repost chains: ``keep``; ``markers`` (drop the markers, one quoted post per
    line); ``own`` (only the reposter's own words, or the first quoted post when they wrote none)."""
    if policy == "keep" or "//@" not in text:
        return text
    parts = _CHAIN_RE.split(text)
    if len(parts) == 1:
        return text
    if policy == "markers":
        return "\n".join(p.strip() for p in parts if p.strip())
    for part in parts:
        # "转发微博" or a bare emoticon ("[憧憬]") is not words of one's own: take the next post.
        if not _REPOST_DEFAULT.match(strip_emoticons(part)):
            return part.strip()
    return ""


_TOPIC_RE = re.compile(rf"#([^#\n]{{0,40}}?[{CJK}][^#\n]{{0,40}}?)#")


def topics(text: str, policy: str) -> str:
    """``#话题#`` tags (with a Han character inside): ``keep``, ``unwrap`` (drop the #) or ``strip``."""
    if policy == "keep" or "#" not in text:
        return text
    if policy == "unwrap":
        return _TOPIC_RE.sub(r"\1", text)
    return _TOPIC_RE.sub("", text)


# One pattern per kind, each run only when its literal is in the text (a pattern that starts with an
# optional space has no literal prefix, and re would try it at every position).
_LINK_RES = (
    ("t.cn", re.compile(r" ?(?:https?:/{0,2})?t\.cn/[A-Za-z0-9]{4,12}")),
    ("网页链接", re.compile(r" ?(?<![A-Za-z])[OL]?网页链接")),
    ("视频", re.compile(r" ?(?<![A-Za-z])L[^\s/]{0,30}的(?:秒拍|微博|美拍)视频")),
    ("展开全文", re.compile(r" ?(?:\.{2,}|…+)\s*展开全文c?$")),
)

LINK_HINTS = tuple(hint for hint, _ in _LINK_RES)
"""Every text :func:`short_links` changes contains one of these."""


def short_links(text: str, policy: str) -> str:
    """``t.cn`` short links and Weibo's link stubs: ``keep``, ``strip``, ``replace`` (``[链接]``)."""
    if policy == "keep":
        return text
    new = "" if policy == "strip" else "[链接]"
    for hint, pattern in _LINK_RES:
        if hint in text:
            # 视频 alone is a common word, and the pattern (it starts with an optional space) is tried
            # at every position: look first for the 拍视频 / 博视频 that every stub ends with.
            if hint == "视频" and "拍视频" not in text and "博视频" not in text:
                continue
            text = pattern.sub(new, text)
    return text


_MENTION_RE = re.compile(r"(?<![A-Za-z0-9._%+\-/])@[\u4e00-\u9fffA-Za-z0-9_\-]{1,30}")


def mentions(text: str, policy: str) -> str:
    """``@handle`` mentions (not e-mail addresses): ``keep``, ``strip``, ``replace`` (``@用户``)."""
    if policy == "keep" or "@" not in text:
        return text
    return _MENTION_RE.sub("" if policy == "strip" else "@用户", text)


_REPOST_TEXT_RE = re.compile(r"转发微博|轉發微博")
_ONLY_PUNCT_RE = re.compile(r"[\s。，！？!?,.~～…]*")


def repost_text(text: str) -> str:
    """Remove ``转发微博``, the text Weibo fills in for a repost without words."""
    if "微博" not in text:
        return text
    if not _REPOST_TEXT_RE.search(text):
        return text
    text = _REPOST_TEXT_RE.sub("", text).strip()
    # "转发微博。" leaves only its punctuation behind.
    return "" if _ONLY_PUNCT_RE.fullmatch(text) else text
