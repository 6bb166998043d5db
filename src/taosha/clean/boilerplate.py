"""``boilerplate_lines``: remove the furniture of Chinese web pages, line by line.

What is measured: each line (``\\n``-separated) is matched against anchored patterns; every rule
has a length cap in characters (after stripping spaces), because furniture is short and a long line
is body text even when it starts with a furniture word.  Lines are removed, never edited: furniture
glued into a body line (flattened pages) is left for the repeated-line and quality steps.

Reason codes (counted as ``lines_removed:<reason>``):

==============  ====================================================================  =========
reason          what                                                                  max chars
==============  ====================================================================  =========
``nav``         navigation bars: >= 4 short items separated by ``|`` ``｜`` ``·`` or     120
                spaces, at least 3 of them (and half) section names (首页 新闻 体育...);
                or the same menu rendered one item per line (``• 首页`` ``• 新闻`` ...)
``breadcrumb``  ``您所在的位置：首页 > 新闻 > 正文``, ``当前位置：``, ``首页 > ... > 正文``      120
``byline``      editor, source, author, reporter, publication-time and view-count lines:     80
                ``责任编辑：`` ``来源：`` ``作者：`` ``（来源：…）`` ``记者 张三``; a field label
                must open the line (after an optional date) and end in a colon, so prose
                such as ``来源于生活`` is kept
``share``       share, follow and comment widgets: ``分享到`` ``扫码关注`` ``关注我们``             40
                ``点击查看更多`` ``返回搜狐，查看更多`` ``热门跟贴`` ``新闻线索报料通道``
``copyright``   ``版权所有`` ``Copyright ©`` ``All Rights Reserved`` ``京ICP备12345号``          150
                ``未经授权不得转载`` ``公网安备``
``prev_next``   ``上一篇：`` ``下一篇：`` (and 上一条/上一文章/...) with a colon                 100
``pagination``  lines made only of page links: ``首页 上一页 1 2 3 下一页 尾页``, ``共5页``        80
``more``        ``展开全文`` ``阅读全文`` ``查看更多`` ``加载更多`` on a line of their own         20
``related``     a "related reading" block: its header (``相关新闻`` ``延伸阅读`` ``猜你喜欢``...)   30/150
                and the headline lines under it (no sentence-final punctuation) up to the
                next sentence; a header with its items on the same line (``相关标签：…``)
``teaser``      a header-less block of >= 3 lines closing the document, each a headline       100
                without sentence-final punctuation, at least two of them "cut": a complete
                sentence followed by an unfinished one, an ellipsis ending, or a
                date/time stamp ending (a list of other articles)
==============  ====================================================================  =========

Only ``prev_next`` and ``copyright`` lines may end with 。！？ (a link to a question, a notice);
every other line that ends a sentence is body text.  A table row written as ``| cell |`` is judged
by its cells, and blank lines between removed lines go with them.

Documents with fewer than ``min_doc_lines`` non-blank lines (default 2) are left alone: a one-line
document is not a page layout but a post, a review or a flattened article, and a Weibo comment that
starts with ``记者：`` or a question that starts with ``扫一扫`` is the text itself.

A document left with fewer than ``min_chars_left`` visible characters after removal is dropped with
reason ``boilerplate_only`` (default 20, the length floor of the default recipe).

Thresholds and word lists were tuned on ../shared/data by reading hits
(``benchmarks/boilerplate_precision.py``; table and judgements in ``docs/normalization.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from taosha.step import Drop, LineFilter

_NAV_WORDS = frozenset(
    """
    首页 网站首页 返回首页 新闻 资讯 体育 娱乐 财经 科技 军事 汽车 房产 教育 旅游 时尚 健康 游戏 视频 图片 论坛
    博客 国内 国际 社会 文化 女性 读书 彩票 股票 基金 手机 数码 家居 原创 专题 评论 历史 星座 育儿 微博 社区
    关于我们 联系我们 网站地图 网站导航 登录 注册 帮助 更多 设为首页 加入收藏 English 热点 要闻 图库 直播 音乐
    公司简介 企业简介 产品中心 产品展示 新闻中心 新闻动态 联系方式 在线留言 客户案例 人才招聘 荣誉资质 服务中心
    本站首页 政务 公告 通知公告 下载 会员 法律声明 隐私政策 免责声明 广告服务 投稿 招聘 滚动 本地 时政 地方
    """.split()
)
_NAV_SPLIT = re.compile(r"\s*[|｜·•/]\s*|\s{1,}")
_NAV_SEP_RE = re.compile(r"[|｜·•/\s]")

_BREADCRUMB_RE = re.compile(
    r"(?:您|你)?(?:现在)?(?:所在|当前)?的?位置[:：]|当前位置[:：]?|(?:网站)?首页\s*(?:>|＞|»|&gt;|->|→)"
)
_BREADCRUMB_END_RE = re.compile(r"(?:>|＞|»|→)\s*正文$")

_BYLINE_LABELS = (
    r"责任编辑|责编|编辑|主编|审核|校对|来源|稿件来源|文章来源|本文来源|新闻来源|信息来源|图片来源|消息来源|出处|"
    r"作者|撰文|文|记者|通讯员|摄影|原标题|发布时间|发表时间|更新时间|发布日期|发布者|发布人|浏览次数|浏览量|"
    r"点击量|点击数|阅读量|阅读数|字号"
)
_DATE_PREFIX = r"(?:\d{2,4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*)?"
_BYLINE_RE = re.compile(
    rf"^[(（【\[]?\s*{_DATE_PREFIX}(?:{_BYLINE_LABELS})\s*[:：]"
    rf"|^(?:(?:本报|本台|本网)(?:记者|通讯员)\s*|(?:记者|通讯员)\s+)[\u4e00-\u9fff]{{2,4}}(?:\s+[\u4e00-\u9fff]{{2,4}})*\s*$"
)
_SENTENCE_END = "。！？!?"
# A byline holds names, outlets and dates, never a clause: "作者：不买，你的…" is a sentence.
_CLAUSE_RE = re.compile("[，,；;？?！!]")

# Widget words open the line (a sentence that mentions them, "花呗怎么不能扫描二维码", does not) or,
# for the unambiguous ones, may stand anywhere in it.
_SHARE_RE = re.compile(
    r"^[\[【(（]?(?:分享到|分享至|扫码关注|扫一扫关注|扫一扫下载|扫一扫二维码|微信扫一扫|扫描下方二维码|扫描二维码关注|长按识别二维码|长按二维码|"
    r"关注我们|关注微信公众号|点击查看更多|热门跟贴|我要评论|发表评论|打开APP|阅读原文|收藏本文|点击进入专题|转载请注明|"
    r"下载客户端|下载APP)"
    r"|返回搜狐，?查看更多|新闻线索报料通道|打印本页|关闭窗口|【大中小】|字号[:：]?\s*[大中小]|点击查看更多[>》]*$|分享到[:：]?$"
)

_COPYRIGHT_RE = re.compile(
    r"版权所有|[Cc]opyright|©|All [Rr]ights [Rr]eserved|ICP[备证]\s*\d|ICP备案号|公网安备|"
    r"未经(?:授权|许可|书面授权).{0,12}(?:转载|复制|使用)|违者必究|版权归.{0,12}所有|违法和不良信息举报"
)
_SENTENCE_RE = re.compile("[。！？!?]")

_PREV_NEXT_RE = re.compile(r"^[\[【]?(?:上一篇|下一篇|上一条|下一条|上一文章|下一文章|上一章|下一章|上篇|下篇|上一个|下一个)[\]】]?\s*[:：]")

_PAGE_TOKEN = r"(?:首页|上一页|下一页|尾页|末页|上页|下页|前页|后页|\d{1,4}|共\s*\d+\s*页|第\s*\d+\s*页|\.{2,}|…+|跳转|转到|GO|>>?|<<?)"
_PAGINATION_RE = re.compile(rf"^[\s\[【]*{_PAGE_TOKEN}(?:[\s\]】\[【|,，]*{_PAGE_TOKEN}){{0,}}[\s\]】]*$")
_PAGE_WORD_RE = re.compile(r"页|^\d+(?:\s+\d+){3,}")

_MORE_RE = re.compile(r"^[\[【(（]?(?:展开全文|阅读全文|查看全文|查看更多|点击查看更多|加载更多|点击加载更多|显示全部|更多)[\]】)）>》…\.c]*$")

_RELATED_HEADERS = (
    r"相关新闻|相关阅读|相关文章|相关报道|相关链接|相关推荐|相关资讯|相关专题|相关标签|相关搜索|延伸阅读|推荐阅读|"
    r"热门推荐|热点推荐|精彩推荐|为您推荐|猜你喜欢|热门文章|最新文章|热门阅读|热门城市|往期回顾|往期推荐|更多阅读|更多精彩|"
    r"热门排行|排行榜|点击排行|热文排行|24小时排行|阅读排行"
)
_RELATED_HEADER_RE = re.compile(rf"(?:^|[:：\s◇◆■●])(?:{_RELATED_HEADERS})\s*[:：]?\s*$")
_RELATED_INLINE_RE = re.compile(rf"^[◇◆■●【\[]?(?:{_RELATED_HEADERS})[\]】]?\s*[:：]")

_CLOSED = "。！？!?”」』"
_CUT_MID_RE = re.compile(r"[。！？!?][^。！？!?]{4,}$")
_ELLIPSIS_END_RE = re.compile(r"(?:\.{3,}|…+|\.{2,}…*)$")
_STAMP_END_RE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$|\d{1,2}[-/]\d{1,2}\s+\d{1,2}:\d{2}$")

# Any furniture word at all, as a plain alternation of literals (no anchors, no optional prefixes):
# re then derives the set of first characters and skips to candidates quickly, so a line without a
# furniture word costs one fast scan.  Every rule's pattern contains one of these words.
_ANY_WORDS = [
    *"| ｜ > ＞ » → · • / © 页 … ..".split(),
    # byline labels only with their colon ("文：", never the 文 of 文化), and reporter lines
    *(f"{label}{sep}" for label in _BYLINE_LABELS.split("|") for sep in ("：", ":", " ：", " :")),
    "本报记者", "本台记者", "本网记者", "本报通讯员", "记者 ", "通讯员 ",
    # share, copyright, previous/next, "more" and related-block words
    *"分享到 分享至 扫码 扫一扫 扫描下方 二维码 关注我们 关注微信 查看更多 搜狐 跟贴 报料 我要评论 发表评论 打开APP".split(),
    *"下载客户端 下载APP 阅读原文 收藏本文 打印本页 关闭窗口 大中小 字号 进入专题 转载 版权 opyright ights ICP".split(),
    *"公网安备 未经 违者必究 违法和不良 上一 下一 上篇 下篇 展开全文 阅读全文 查看全文 加载更多 显示全部 更多".split(),
    *_RELATED_HEADERS.replace("|", " ").split(),
    # breadcrumbs and the nav words that can open a space-separated menu
    *"位置 首页 正文 体育 娱乐 财经 科技 关于我们 联系我们".split(),
]
_ANY_RE = re.compile("|".join(re.escape(w) for w in _ANY_WORDS))


def _nav_items(items: list[str]) -> bool:
    if len(items) < 4 or any(len(i) > 6 for i in items):
        return False
    hits = sum(1 for i in items if i in _NAV_WORDS)
    return hits >= 3 and hits * 2 >= len(items)


def _nav(s: str) -> bool:
    return _nav_items([i for i in _NAV_SPLIT.split(s) if i])


_BULLET_RE = re.compile(r"^(?:[•·▪●○◆◇■□►▸\-*]|\d{1,2}[.、)）])\s*")


def classify_line(line: str) -> str | None:
    """The furniture reason of one line taken alone, or ``None`` for a body line.

    >>> classify_line("首页 | 新闻 | 体育 | 娱乐 | 财经")
    'nav'
    >>> classify_line("您所在的位置：首页 > 新闻 > 正文"), classify_line("（来源：燕赵都市网）")
    ('breadcrumb', 'byline')
    >>> classify_line("来源于生活的艺术，往往更能打动人心。") is None
    True
    >>> classify_line("返回搜狐，查看更多"), classify_line("上一篇：冰箱有臭味怎么办？")
    ('share', 'prev_next')
    """
    s = line.strip()
    n = len(s)
    if n == 0 or n > 200:
        return None
    if s[-1] in _SENTENCE_END:
        # Furniture does not end a sentence, except previous/next links to a question and
        # copyright notices; body paragraphs do, and are settled here in two cheap checks.
        return _classify_sentence(s)
    if n <= 80 and _BYLINE_RE.search(s) and not _CLAUSE_RE.search(s):
        return "byline"
    if n <= 120 and (_BREADCRUMB_RE.match(s) or (s.endswith("正文") and _BREADCRUMB_END_RE.search(s))):
        return "breadcrumb"
    if n <= 100 and _PREV_NEXT_RE.search(s):
        return "prev_next"
    if n <= 40 and _SHARE_RE.search(s):
        return "share"
    if n <= 150 and _copyright(s):
        return "copyright"
    if n <= 80 and _PAGE_WORD_RE.search(s) and _PAGINATION_RE.match(s):
        return "pagination"
    if n <= 20 and _MORE_RE.match(s):
        return "more"
    if n <= 120 and _NAV_SEP_RE.search(s) and _nav(s):
        return "nav"
    return None


def _copyright(s: str) -> bool:
    # The notice opens the line or follows a short lead ("本文为原创稿件，版权所有"); a review with a
    # site footer glued on ("...太烂了。免费注册网站导航...Copyright") is a body line.  (endpos 64: a
    # notice starts within 40 characters and none is longer than 24.)
    m = _COPYRIGHT_RE.search(s, 0, 64)
    return bool(m and m.start() <= 40 and not _SENTENCE_RE.search(s, 0, m.start()))


def _classify_sentence(s: str) -> str | None:
    """:func:`classify_line` for a line that ends with 。！？: only two rules allow that ending.

    >>> _classify_sentence("上一篇：冰箱有臭味怎么办？"), _classify_sentence("本文为原创稿件，未经许可严禁转载。")
    ('prev_next', 'copyright')
    """
    n = len(s)
    if n <= 100 and _PREV_NEXT_RE.search(s):
        return "prev_next"
    if n <= 150 and _copyright(s):
        return "copyright"
    return None


def _cut(s: str) -> bool:
    return bool(_CUT_MID_RE.search(s) or _ELLIPSIS_END_RE.search(s) or _STAMP_END_RE.search(s))


def _headline_like(s: str, limit: int = 150) -> bool:
    return 0 < len(s) <= limit and s[-1] not in _CLOSED


@dataclass(frozen=True, kw_only=True)
class BoilerplateLines(LineFilter):
    name = "boilerplate_lines"

    min_chars_left: int = 20
    min_doc_lines: int = 2
    related_blocks: bool = True
    teaser_blocks: bool = True
    min_teaser_lines: int = 3

    def keep_line(self, line: str) -> bool | Drop:
        s = line.strip()
        reason = classify_line(s) if s and (_ANY_RE.search(s) or s[0].isdigit()) else None
        return True if reason is None else Drop(reason)

    def keep_lines(self, lines: list[str]) -> list[bool | Drop]:
        if len(lines) < self.min_doc_lines or sum(1 for line in lines if line.strip()) < self.min_doc_lines:
            return [True] * len(lines)
        verdicts: list[bool | Drop] = []
        in_related = False
        for line in lines:
            s = line.strip()
            if s[:1] == "|" and s[-1:] == "|":
                # A table row as some extractors write it ("| 责任编辑：周宁 |"): judge the cells.
                s = s.strip("| \t")
            if in_related:
                if not s:
                    verdicts.append(True)
                    continue
                if _headline_like(s) and classify_line(s) is None:
                    verdicts.append(Drop("related"))
                    continue
                in_related = False
            # Every rule has a length cap of at most 200 characters: longer lines are body text.
            if not s or len(s) > 200:
                verdicts.append(True)
                continue
            if s[-1] in _SENTENCE_END:
                # Settled without the word scan (see classify_line): most body lines end this way.
                reason = _classify_sentence(s)
                verdicts.append(True if reason is None else Drop(reason))
                continue
            if not (_ANY_RE.search(s) or s[0].isdigit()):
                verdicts.append(True)
                continue
            if self.related_blocks and len(s) <= 30 and _RELATED_HEADER_RE.search(s):
                verdicts.append(Drop("related"))
                in_related = True
                continue
            if self.related_blocks and len(s) <= 150 and _RELATED_INLINE_RE.match(s) and s[-1] not in _CLOSED:
                verdicts.append(Drop("related"))
                continue
            reason = classify_line(s)
            verdicts.append(True if reason is None else Drop(reason))
        self._mark_vertical_nav(lines, verdicts)
        if self.teaser_blocks and len(lines) > self.min_teaser_lines:
            self._mark_teasers(lines, verdicts)
        if any(v is not True for v in verdicts):
            self._absorb_blank_lines(lines, verdicts)
        return verdicts

    @staticmethod
    def _absorb_blank_lines(lines: list[str], verdicts: list[bool | Drop]) -> None:
        # Blank lines between removed lines (or between a removed line and the end) go with them,
        # so that removing a block does not leave a run of blank lines behind.
        prev: bool | Drop = True
        i, n = 0, len(lines)
        while i < n:
            if lines[i].strip():
                prev = verdicts[i]
                i += 1
                continue
            j = i
            while j < n and not lines[j].strip():
                j += 1
            after = verdicts[j] if j < n else Drop("end")
            if isinstance(prev, Drop) and isinstance(after, Drop):
                for k in range(i, j):
                    verdicts[k] = prev
            i = j

    @staticmethod
    def _mark_vertical_nav(lines: list[str], verdicts: list[bool | Drop]) -> None:
        # A menu rendered one item per line ("• 首页", "• 新闻", ...): runs of short lines, blank lines
        # between them allowed, judged together like the items of a one-line bar.
        run: list[int] = []
        for i in range(len(lines) + 1):
            s = lines[i].strip() if i < len(lines) else "\n"
            if not s:
                continue
            # A bullet takes at most 4 characters ("12. "), an item at most 6: longer lines end a run
            # without a regex call.
            if len(s) <= 10 and i < len(lines) and verdicts[i] is True and 0 < len(_BULLET_RE.sub("", s)) <= 6:
                run.append(i)
                continue
            if len(run) >= 4 and _nav_items([_BULLET_RE.sub("", lines[j].strip()) for j in run]):
                for j in run:
                    # Only menu items: a section name or a bulleted line.  A short headline just
                    # below the menu ("养老新政") is neither and stays.
                    s = lines[j].strip()
                    if _BULLET_RE.match(s) or s in _NAV_WORDS:
                        verdicts[j] = Drop("nav")
            run = []

    def _mark_teasers(self, lines: list[str], verdicts: list[bool | Drop]) -> None:
        # Walk up from the end over lines that are already furniture, blank, or headline-like.
        block: list[int] = []
        cut = 0
        i = len(lines) - 1
        while i >= 0:
            s = lines[i].strip()
            if verdicts[i] is not True or not s:
                i -= 1
                continue
            # 100, not 150: some extractors cut body paragraphs at a fixed ~150 characters, which
            # makes them look unfinished too; teasers are a headline and a line or so of text.
            if not _headline_like(s, 100):
                break
            block.append(i)
            cut += _cut(s)
            i -= 1
        if len(block) >= self.min_teaser_lines and cut >= 2 and i >= 0:
            for j in block:
                verdicts[j] = Drop("teaser")
