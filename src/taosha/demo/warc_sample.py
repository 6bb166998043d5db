"""A small crawl to start from: generated Chinese news pages in a WARC file.

Every sentence here was written for taosha; nothing is copied from a real site.  The pages look like
what a crawler brings home, so that ``taosha run -i sample.warc.gz`` shows the whole path from crawl
to corpus:

- three layouts: an HTML5 news portal (nav, breadcrumbs, sidebar ranking, related-article teasers,
  share bar, comments, footer), a blog (tag cloud, comment thread) and an old table layout whose
  paragraphs are ``<br>``-separated text in a ``<td>`` (the way many GBK-era sites were built);
- three encodings: UTF-8, GBK (GB18030 on decode) and Big5 (with the article in traditional
  characters, converted with OpenCC's ``s2tw``, whose forms Big5 holds), and characters Big5 cannot hold written as ``&#NNNNN;``;
- charset declarations that lie: about a third of the non-UTF-8 pages have an HTTP header saying
  ``utf-8`` or ``iso-8859-1``, or no charset anywhere;
- a few mirrored pages (the same article under a second URL), for the dedup steps to find.

:func:`build_page` also returns which strings are article and which are furniture, so tests and
``benchmarks/extraction.py`` can measure an extractor (share of article characters kept, share of
furniture characters left).
"""

from __future__ import annotations

import datetime as _dt
import functools
import gzip
import html as _html
import random
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# -- text bank (written for taosha) -----------------------------------------------------------------

TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "交通": (
        ("地铁新线今日开通运营", "城市轨道交通网络再添新线", "新线路开通首日客流平稳"),
        (
            "本市地铁六号线今天上午正式开通运营，全长二十八公里，共设车站二十一座。",
            "新线路连接城市东部的居住区和西部的产业园区，通勤时间预计缩短四十分钟左右。",
            "开通首日，不少市民专程前来体验，车厢内宽敞明亮，座椅旁还设置了手机充电接口。",
            "运营公司介绍，工作日早晚高峰的行车间隔为三分钟，其他时段为六分钟。",
            "为方便换乘，三座换乘站均采用同台换乘设计，乘客无需上下楼梯即可换乘。",
            "交通部门表示，新线开通后将同步优化沿线十二条公交线路，做好地面接驳。",
            "一位在产业园工作的乘客说，以前每天要换乘两次公交，现在坐地铁半小时就能到。",
            "据了解，该线路二期工程已经开工建设，计划三年后向北延伸至火车站。",
            "车站内设置了无障碍电梯和盲道，并在每节车厢预留了轮椅停放区域。",
        ),
    ),
    "农业": (
        ("秋粮收获进入高峰", "稻谷丰收农户忙", "机械化收割提速秋收"),
        (
            "眼下正是秋收时节，县里十多万亩水稻陆续成熟，田间地头一派忙碌景象。",
            "今年全县推广了新的优质稻品种，平均亩产比去年提高了六十多公斤。",
            "收割机在金黄的稻田里来回穿梭，一亩地不到二十分钟就能收完。",
            "种粮大户老刘告诉记者，他承包的三百亩地全部采用机械化作业，省工又省钱。",
            "农业部门组织技术人员下乡，指导农户做好稻谷烘干和储存，防止霉变。",
            "当地粮食收购点延长了营业时间，农户卖粮排队的时间明显缩短。",
            "为应对可能出现的连续降雨，气象部门每天发布农业气象服务信息。",
            "合作社负责人说，今年的稻谷品质好，已经有外地米厂上门订购。",
            "秋收结束后，部分田块将种植油菜和小麦，提高土地利用率。",
        ),
    ),
    "科技": (
        ("高校团队研制新型电池材料", "储能研究取得新进展", "新材料让电池更耐寒"),
        (
            "某大学材料学院的研究团队近日发布成果，研制出一种可在低温下工作的电池材料。",
            "实验数据显示，在零下三十摄氏度的环境中，新电池仍能保持八成以上的容量。",
            "团队负责人介绍，这项研究前后持续了五年，经历了上千次配方调整。",
            "传统锂电池在寒冷地区容量衰减明显，电动汽车冬季续航里程往往大打折扣。",
            "新材料的原料来源广泛，成本与现有产品相当，具备规模化生产的条件。",
            "目前，团队已与两家企业签订合作协议，计划明年开展中试。",
            "专家认为，这一成果对北方地区推广新能源汽车和储能电站具有积极意义。",
            "研究人员表示，下一步将重点测试材料在反复充放电后的稳定性。",
            "相关论文已在国际学术期刊上发表，并申请了三项发明专利。",
        ),
    ),
    "文化": (
        ("古籍特展在省博物馆开幕", "珍贵古籍与观众见面", "博物馆推出古籍修复体验"),
        (
            "省博物馆举办的古籍特展昨天开幕，共展出明清时期的珍贵古籍一百二十余种。",
            "展品中既有地方志和家谱，也有医书、农书和手抄的戏曲剧本。",
            "为了让观众看清古籍内容，展厅里设置了多块触摸屏，可以逐页翻阅高清图像。",
            "古籍修复师现场演示了补纸、压平和装订等工序，吸引了许多观众驻足观看。",
            "一位带孩子来参观的家长说，孩子第一次知道一本旧书要修复好几个月。",
            "博物馆每周末开设修复体验课，参加者可以亲手制作一本线装笔记本。",
            "馆方介绍，近年来共完成了三千多册破损古籍的修复工作。",
            "展览将持续到明年三月，观众可通过博物馆公众号免费预约参观。",
            "此次展览还首次公开展出了一部清代刻本的全部雕版。",
        ),
    ),
    "体育": (
        ("城市马拉松鸣枪开跑", "三万名跑者奔跑在城市街头", "马拉松赛事服务再升级"),
        (
            "第十届城市马拉松今天早上七点半鸣枪开跑，来自国内外的三万名跑者参加比赛。",
            "赛道途经老城区、滨江公园和新城中央商务区，沿途风景各具特色。",
            "组委会在赛道沿线设置了二十个补给站，提供饮用水、能量饮料和香蕉。",
            "男子全程冠军的成绩为两小时十一分，女子冠军打破了赛会纪录。",
            "今年赛事首次引入智能计时芯片，跑者完赛后几分钟内就能收到成绩短信。",
            "上千名志愿者分布在赛道各处，为跑者提供指引和医疗救护服务。",
            "一名第一次参加全程马拉松的大学生说，最后五公里全靠观众的加油声撑下来。",
            "比赛期间部分道路实行交通管制，交警部门提前一周发布了绕行提示。",
            "赛后，环卫工人用不到两小时就完成了赛道沿线的清扫工作。",
        ),
    ),
    "天气": (
        ("寒潮来袭气温骤降", "冷空气带来大风降温", "本周后期气温逐步回升"),
        (
            "受强冷空气影响，今明两天本地将出现大风降温天气，最低气温降至零下五度。",
            "气象台已发布寒潮蓝色预警，提醒市民及时添加衣物，注意防寒保暖。",
            "北部山区今晚到明天有小到中雪，部分路段可能出现道路结冰。",
            "交通部门提前储备了融雪剂，并安排除雪车辆在重点路段值守。",
            "供热企业表示，各小区供暖设备运行正常，室内温度能够得到保障。",
            "农业专家建议，大棚种植户要加固棚膜，夜间加盖保温被。",
            "预计周四以后冷空气势力减弱，气温将逐步回升，周末以晴好天气为主。",
            "医生提醒，气温骤降时老人和儿童容易感冒，外出时要做好防护。",
            "此次寒潮是今年入冬以来影响范围最广的一次降温过程。",
        ),
    ),
}

SITES = ("星河新闻网", "东方日报网", "晨光资讯", "南山在线", "青禾网")
NAV = ("首页", "新闻", "国内", "国际", "财经", "科技", "体育", "娱乐", "汽车", "房产", "教育", "旅游")
CHANNELS = {"交通": "国内", "农业": "国内", "科技": "科技", "文化": "文化", "体育": "体育", "天气": "国内"}
COMMENTS = (
    "终于等到这一天了，支持！",
    "希望以后能多一些这样的报道。",
    "写得很详细，转给家里人看看。",
    "这个消息不错，点赞。",
    "有没有人知道具体是哪一天开始的？",
    "我们那边也是这样，感觉变化挺大的。",
    "小编辛苦了，期待后续报道。",
    "去年去过一次，确实值得一看。",
)
NICKNAMES = ("晨跑的老王", "小城青年", "橘子汽水", "路过的网友", "南方的风", "阿明同学", "书虫一枚")
EDITORS = ("王晓", "李青", "陈默", "赵然", "周宁")
TAGS = ("城市生活", "民生", "本地新闻", "周末去哪儿", "科普", "读书", "运动健康")


# -- pages -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One generated page and the truth about it."""

    url: str
    title: str
    date: str
    """Publication date, ISO ``YYYY-MM-DD``."""
    html: str
    article: tuple[str, ...]
    """The main text, one paragraph per item, as the page shows it (after entity decoding)."""
    furniture: tuple[str, ...]
    """Every other visible string: navigation, teasers, comments, footer lines."""
    encoding: str
    """The codec the page's bytes are in: ``utf-8``, ``gbk`` or ``big5``."""
    declared: str | None
    """The charset of the HTTP ``Content-Type`` header (may be wrong; ``None``: absent)."""

    def body(self) -> bytes:
        """The page's bytes: Big5 pages write characters Big5 lacks as numeric references."""
        return self.html.encode(self.encoding, errors="xmlcharrefreplace")

    def http_headers(self) -> str:
        ctype = "text/html" if self.declared is None else f"text/html; charset={self.declared}"
        return f"Content-Type: {ctype}\r\nServer: nginx\r\nConnection: close\r\n"


_NUMERAL = re.compile("[一二三四五六七八九十百千万两]{2,}")
_DIGITS = "零一二三四五六七八九"


def _spell(n: int) -> str:
    """Chinese numerals for 11..99: ``_spell(28) == "二十八"``."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _paragraphs(rng: random.Random, sentences: Sequence[str], n_paragraphs: int) -> list[str]:
    """Two or three sentences a paragraph, with the numbers drawn anew for each page, so that two
    pages on one topic share sentences' shapes but not whole lines."""
    def number(match: re.Match[str]) -> str:
        # "六十多公斤" stays a round figure: "三十五多" is not Chinese.
        approximate = match.string[match.end() : match.end() + 1] in ("多", "余")
        return _spell(rng.randint(2, 9) * 10 if approximate else rng.randint(11, 99))

    pool = [_NUMERAL.sub(number, s) for s in sentences]
    rng.shuffle(pool)
    out: list[str] = []
    while pool and len(out) < n_paragraphs:
        k = len(pool) if len(pool) <= 3 else 2 if len(pool) == 4 else rng.randint(2, 3)
        out.append("".join(pool[:k]))
        pool = pool[k:]
    return out


def _teasers(rng: random.Random, exclude: str, n: int) -> list[str]:
    titles = [t for topic, (heads, _) in TOPICS.items() if topic != exclude for t in heads]
    rng.shuffle(titles)
    return titles[:n]


def build_page(
    rng: random.Random,
    *,
    index: int = 0,
    layout: str | None = None,
    topic: str | None = None,
    article: Sequence[str] | None = None,
    title: str | None = None,
    encoding: str = "utf-8",
    declared: str | None | bool = True,
    meta_charset: bool = True,
) -> Page:
    """A Chinese news page with its furniture; ``article`` replaces the generated paragraphs.

    ``declared=True`` writes the true charset in the HTTP header, ``False``/``None`` none, a string
    that string (a lie if it is not the true one).  ``meta_charset`` adds ``<meta charset>`` with
    the true charset.  For ``big5`` pages the text is converted to traditional characters.
    """
    layout = layout or rng.choice(("portal", "blog", "table"))
    topic = topic or rng.choice(sorted(TOPICS))
    heads, sentences = TOPICS[topic]
    paras = list(article) if article is not None else _paragraphs(rng, sentences, rng.randint(3, 6))
    title = title or rng.choice(heads)
    site = rng.choice(SITES)
    day = _dt.date(2024, 1, 1) + _dt.timedelta(days=rng.randrange(366))
    date = day.isoformat()
    editor = rng.choice(EDITORS)
    teasers = _teasers(rng, topic, 10)
    comments = [(rng.choice(NICKNAMES), c) for c in rng.sample(COMMENTS, rng.randint(2, 4))]
    channel = CHANNELS.get(topic, "国内")
    host = f"www.site{SITES.index(site) + 1}.example.cn"
    url = f"http://{host}/{channel_slug(channel)}/{day:%Y%m%d}/{index:05d}.html"

    def conv(s: str) -> str:
        return _to_traditional(s) if encoding == "big5" else s

    title_c, site_c, paras_c = conv(title), conv(site), [conv(p) for p in paras]
    teasers_c = [conv(t) for t in teasers]
    comments_c = [(conv(n), conv(c)) for n, c in comments]
    nav_c = [conv(n) for n in NAV]
    furniture: list[str] = []
    esc = _html.escape
    charset_tag = f'<meta charset="{encoding}">' if meta_charset else ""
    head = (
        f"<!DOCTYPE html>\n<html lang=\"zh\"><head>{charset_tag}<title>{esc(title_c)}_{esc(site_c)}</title>\n"
        f'<meta name="keywords" content="{esc(conv(topic))},{esc(conv(channel))}">\n'
        f'<meta property="article:published_time" content="{date}T08:{rng.randrange(60):02d}:00+08:00">\n'
        "<script>var _hmt = _hmt || []; window.dataLayer = [];</script>\n"
        "<style>.nav li{display:inline;margin:0 6px}</style></head>\n"
    )
    furniture += nav_c
    byline = conv(f"{date} {rng.randrange(7, 22):02d}:{rng.randrange(60):02d}  来源：{site}")
    crumbs = conv(f"您的位置：首页 > {channel} > 正文")
    edit_line = conv(f"责任编辑：{editor}")
    share = conv("分享到：微信 微博 QQ空间")
    hot_head, related_head, comment_head = conv("热门排行"), conv("相关阅读"), conv("网友评论")
    foot1 = conv("关于我们 | 联系我们 | 广告服务 | 网站地图 | 版权声明")
    foot2 = conv(f"版权所有 © 2024 {site} 京ICP备{rng.randrange(10**7, 10**8)}号")
    foot3 = conv("违法和不良信息举报电话：010-00000000")
    ad = conv("下载客户端，看更多新闻")
    furniture += [byline, crumbs, edit_line, share, hot_head, related_head, comment_head, foot1, foot2, foot3, ad]
    furniture += teasers_c
    for nick, text in comments_c:
        furniture += [nick, text]
    nav_html = "".join(f'<li><a href="/{i}/">{esc(n)}</a></li>' for i, n in enumerate(nav_c))
    hot_html = "".join(f'<li><a href="/hot/{i}.html">{esc(t)}</a></li>' for i, t in enumerate(teasers_c[:5]))
    rel_html = "".join(
        f'<li><a href="/rel/{i}.html">{esc(t)}</a> <span>{(day - _dt.timedelta(days=i + 1)).isoformat()}</span></li>'
        for i, t in enumerate(teasers_c[5:])
    )
    furniture += [(day - _dt.timedelta(days=i + 1)).isoformat() for i in range(len(teasers_c[5:]))]
    com_html = "".join(
        f'<div class="comment"><span class="user">{esc(n)}</span><p>{esc(c)}</p></div>' for n, c in comments_c
    )
    footer_html = f"<p>{esc(foot1)}</p><p>{esc(foot2)}</p><p>{esc(foot3)}</p>"
    if layout == "portal":
        body = (
            f'<body><header><div class="logo">{esc(site_c)}</div><ul class="nav">{nav_html}</ul></header>\n'
            f'<div class="crumbs">{esc(crumbs)}</div>\n<main><article><h1>{esc(title_c)}</h1>\n'
            f'<div class="info">{esc(byline)}</div>\n'
            + "".join(f"<p>{esc(p)}</p>\n" for p in paras_c)
            + f'<div class="editor">{esc(edit_line)}</div><div class="share">{esc(share)}</div></article>\n'
            f'<section class="related"><h3>{esc(related_head)}</h3><ul>{rel_html}</ul></section>\n'
            f'<section class="comments"><h3>{esc(comment_head)}</h3>{com_html}</section></main>\n'
            f'<aside><h3>{esc(hot_head)}</h3><ol>{hot_html}</ol><div class="ad">{esc(ad)}</div></aside>\n'
            f"<footer>{footer_html}</footer></body></html>\n"
        )
    elif layout == "blog":
        tags_c = [conv(t) for t in rng.sample(TAGS, 4)]
        furniture += tags_c
        tag_html = " ".join(f'<a class="tag" href="/tag/{i}">{esc(t)}</a>' for i, t in enumerate(tags_c))
        body = (
            f'<body><div id="top"><div class="sitename">{esc(site_c)}</div><div class="menu"><ul class="nav">{nav_html}</ul></div></div>\n'
            f'<div id="wrap"><div id="content"><div class="post"><h2 class="post-title">{esc(title_c)}</h2>\n'
            f'<div class="post-meta">{esc(byline)}</div><div class="entry">\n'
            + "".join(f"<p>{esc(p)}</p>\n" for p in paras_c)
            + f'</div><div class="post-footer">{esc(edit_line)} {esc(share)}</div></div>\n'
            f'<div id="comments"><h3>{esc(comment_head)}</h3>{com_html}</div></div>\n'
            f'<div id="sidebar"><div class="widget"><h3>{esc(hot_head)}</h3><ul>{hot_html}</ul></div>\n'
            f'<div class="widget">{tag_html}</div><div class="widget"><h3>{esc(related_head)}</h3><ul>{rel_html}</ul></div>'
            f'<div class="widget">{esc(ad)}</div></div></div>\n'
            f'<div id="footer">{footer_html}</div></body></html>\n'
        )
    else:
        # Old table layout: paragraphs are text runs between <br><br>, indented with full-width spaces.
        text_html = "<br>\n<br>\n".join("\u3000\u3000" + esc(p) for p in paras_c)
        body = (
            f'<body bgcolor="#ffffff"><table width="960" align="center"><tr><td>{esc(site_c)}</td>'
            f'<td><table><tr>{"".join(f"<td><a href=/{i}/>{esc(n)}</a></td>" for i, n in enumerate(nav_c))}</tr></table></td></tr></table>\n'
            f'<table width="960" align="center"><tr><td width="660" valign="top">\n'
            f'<table><tr><td><font size="2">{esc(crumbs)}</font></td></tr></table>\n'
            f'<table><tr><td align="center"><font size="5"><b>{esc(title_c)}</b></font></td></tr>\n'
            f'<tr><td align="center"><font size="2" color="#666666">{esc(byline)}</font></td></tr>\n'
            f'<tr><td class="content"><font size="3">\n{text_html}\n</font></td></tr>\n'
            f'<tr><td align="right">{esc(edit_line)}</td></tr></table>\n'
            f'<table><tr><td><b>{esc(related_head)}</b></td></tr>'
            + "".join(f'<tr><td><a href="/rel/{i}.html">{esc(t)}</a> {(day - _dt.timedelta(days=i + 1)).isoformat()}</td></tr>' for i, t in enumerate(teasers_c[5:]))
            + f'</table>\n<table><tr><td><b>{esc(comment_head)}</b></td></tr>'
            + "".join(f"<tr><td>{esc(n)}：{esc(c)}</td></tr>" for n, c in comments_c)
            + f'</table></td>\n<td width="300" valign="top"><b>{esc(hot_head)}</b><br>'
            + "<br>".join(f'<a href="/hot/{i}.html">{esc(t)}</a>' for i, t in enumerate(teasers_c[:5]))
            + f'<br><font color="red">{esc(ad)}</font></td></tr></table>\n'
            f'<table width="960" align="center"><tr><td align="center">{footer_html}</td></tr></table></body></html>\n'
        )
    if declared is True:
        header_charset: str | None = encoding
    elif declared is False or declared is None:
        header_charset = None
    else:
        header_charset = declared
    return Page(
        url=url, title=title_c, date=date, html=head + body, article=tuple(paras_c),
        furniture=tuple(dict.fromkeys(f for f in furniture if f)), encoding=encoding, declared=header_charset,
    )


def channel_slug(channel: str) -> str:
    return {"国内": "china", "科技": "tech", "文化": "culture", "体育": "sports"}.get(channel, "news")


@functools.lru_cache(maxsize=1)
def _s2t():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2tw")


def _to_traditional(text: str) -> str:
    return str(_s2t().convert(text))


# -- WARC writing -----------------------------------------------------------------------------------


def warc_record(headers: dict[str, str], block: bytes) -> bytes:
    """One uncompressed WARC/1.1 record; ``Content-Length`` is added."""
    lines = ["WARC/1.1", *(f"{k}: {v}" for k, v in headers.items()), f"Content-Length: {len(block)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def write_warc(path: Path, pages: Iterable[Page], *, seed: int = 0, compress: bool | None = None) -> Path:
    """Write pages as a WARC/1.1 file: a ``warcinfo``, then a ``request`` and a ``response`` per page.

    ``.warc.gz`` names get one gzip member per record, as crawlers write them.
    """
    rng = random.Random(seed)
    compress = path.name.endswith(".gz") if compress is None else compress

    def rid() -> str:
        return f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>"

    crawl = _dt.datetime(2024, 12, 1, tzinfo=_dt.timezone.utc)
    records = [
        warc_record(
            {"WARC-Type": "warcinfo", "WARC-Record-ID": rid(), "WARC-Date": crawl.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "WARC-Filename": path.name, "Content-Type": "application/warc-fields"},
            b"software: taosha demo\r\nformat: WARC File Format 1.1\r\n",
        )
    ]
    for i, page in enumerate(pages):
        when = (crawl + _dt.timedelta(seconds=7 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        host = page.url.split("/")[2]
        request = f"GET /{page.url.split('/', 3)[3]} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: taosha-demo\r\n\r\n"
        req_id = rid()
        records.append(warc_record(
            {"WARC-Type": "request", "WARC-Record-ID": req_id, "WARC-Date": when, "WARC-Target-URI": page.url,
             "Content-Type": "application/http; msgtype=request"},
            request.encode("ascii"),
        ))
        payload = page.body()
        http = f"HTTP/1.1 200 OK\r\n{page.http_headers()}Content-Length: {len(payload)}\r\n\r\n".encode("ascii") + payload
        records.append(warc_record(
            {"WARC-Type": "response", "WARC-Record-ID": rid(), "WARC-Date": when, "WARC-Target-URI": page.url,
             "WARC-Concurrent-To": req_id, "Content-Type": "application/http; msgtype=response"},
            http,
        ))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        for record in records:
            fh.write(gzip.compress(record, mtime=0) if compress else record)
    return path


def sample_pages(n_pages: int = 50, seed: int = 0) -> list[Page]:
    """The demo's pages: mixed layouts and encodings, some lying headers, a few mirrors."""
    rng = random.Random(seed)
    pages: list[Page] = []
    for i in range(n_pages):
        if i >= 5 and rng.random() < 0.08:
            # A mirror: the same article again under another URL, with its own furniture.
            src = rng.choice(pages[: max(1, i - 1)])
            pages.append(build_page(rng, index=i, article=src.article if src.encoding != "big5" else None,
                                    title=src.title if src.encoding != "big5" else None))
            continue
        encoding = rng.choices(("utf-8", "gbk", "big5"), weights=(6, 3, 2))[0]
        declared: str | bool = True
        meta = True
        if encoding != "utf-8":
            roll = rng.random()
            if roll < 0.15:
                declared = "utf-8"  # a server default that lies
            elif roll < 0.25:
                declared, meta = "iso-8859-1", False
            elif roll < 0.35:
                declared, meta = False, False  # nothing declared anywhere
            elif roll < 0.55:
                declared = False  # only the <meta charset> tells
        pages.append(build_page(rng, index=i, encoding=encoding, declared=declared, meta_charset=meta))
    return pages


def write_warc_sample(dir: Path, n_pages: int = 50, seed: int = 0) -> Path:
    """Write ``crawl_sample.warc.gz`` with ``n_pages`` generated pages into ``dir``; return its path."""
    return write_warc(Path(dir) / "crawl_sample.warc.gz", sample_pages(n_pages, seed), seed=seed)


def score_extraction(text: str, page: Page) -> tuple[float, float]:
    """``(article_kept, furniture_left)`` of an extracted text, as shares of characters.

    ``article_kept``: characters of the article paragraphs found whole in ``text`` / all article
    characters (a paragraph cut in two counts as lost: it would also be lost for a line-level step).
    ``furniture_left``: visible characters of ``text`` left after deleting those paragraphs / all
    furniture characters (so anything that is not article counts, whatever the furniture it was);
    the headline, once, counts as neither.
    Whitespace is ignored on both sides.
    """
    squeeze = "".join
    out = squeeze(text.split())
    total = sum(len(squeeze(p.split())) for p in page.article) or 1
    kept = 0
    for para in sorted(page.article, key=len, reverse=True):
        p = squeeze(para.split())
        if p and p in out:
            kept += len(p)
            out = out.replace(p, "", 1)
    # The headline is neither: an extractor may keep it or not, and the reader keeps it in meta.
    out = out.replace(squeeze(page.title.split()), "", 1)
    furniture = sum(len(squeeze(f.split())) for f in page.furniture) or 1
    return kept / total, len(out) / furniture
