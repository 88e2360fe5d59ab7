#!/usr/bin/env python3
"""Generates the multi-page Arabic corpus for site templates (clean/template.h).

  bench/template_corpus.py [--ant ../shared/corpus/ant/ant-v1.1.tar.gz] [--out build/template-corpus]
                           [--pages 12]

Five invented sites, each with its own HTML template and its own chrome that repeats on every
page (support appeals worded without any keyword a vocabulary would know, slogans, "SITE - SECTION"
lines, a correspondent's sign-off, "related" headings, app pitches, mission statements, footers),
link lists that change from page to page, and article text from the ANT corpus (JawharaFM news,
Apache-2.0; Chouigui et al., AICCSA 2017). Site "sawt" has one sentence that two of its articles
legitimately share (a quoted statement): it belongs to both articles' expected text.

Output: OUT/<site>/<NN>.html and OUT/<site>/<NN>.json in the page layout that
../shared/bench/score_extraction.py reads ({"title", "published", "body", "boiler", "neutral"}).
The expected body is the ANT text (one paragraph per line of its <TEXT>), never rasid's output.
Deterministic: the same ANT file gives the same corpus byte for byte.
"""
import argparse, html, json, os, re, tarfile

SITES = [
    # name, display name, ANT category, sections
    ("sawt", "صوت الشام", "politic", ["سياسة", "محليات", "تقارير", "حوارات"]),
    ("madar", "مدار", "economy", ["اقتصاد", "أسواق", "طاقة", "أعمال"]),
    ("nabd", "نبض المدينة", "society", ["مجتمع", "صحة", "تعليم", "منوعات"]),
    ("afaq", "آفاق نيوز", "internationalNews", ["عربي ودولي", "العالم", "الشرق الأوسط", "تحليلات"]),
    ("wasl", "الوصل اليومي", "sport", ["رياضة", "كرة القدم", "بطولات", "محترفون"]),
]


def load_ant(path):
    """category -> sorted list of (docno, title, time, paragraphs)."""
    out = {}
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:  # archive order (a gzip stream only reads forward); sorted below
            if not m.isfile() or not m.name.endswith(".txt"):
                continue
            raw = tf.extractfile(m).read().decode("utf-8", "replace")
            get = lambda tag: (re.search(rf"<{tag}>(.*?)</{tag}>", raw, re.S) or [None, ""])[1].strip()
            paras = [re.sub(r"\s+", " ", p).strip() for p in get("TEXT").split("\n")]
            paras = [p for p in paras if len(p.split()) >= 6]
            title = re.sub(r"\s+", " ", get("TITLE"))
            words = sum(len(p.split()) for p in paras)
            if len(paras) < 2 or words < 80 or words > 1500 or not title:
                continue
            cat = m.name.split("/")[-2]
            out.setdefault(cat, []).append((get("DOCNO"), title, get("TIME"), paras))
    for v in out.values():
        v.sort()
    return out


def esc(s):
    return html.escape(s, quote=True)


def links(items):
    return "".join(f'<li><a href="/news/{i}">{esc(t)}</a></li>' for i, t in items)


def page_sawt(site, n, art, others, section, extra_quote):
    name = site[1]
    appeal = "منذ عشر سنوات ننقل ما يجري في مدننا بلا تمويل من أي جهة سياسية، ونحن بحاجتك لنبقى مستقلين."
    sign = f"(مراسل {name} - دمشق)"
    mission = f"{name} مؤسسة إعلامية سورية مستقلة تأسست عام 2014، تعمل على تقديم أخبار دقيقة ومتوازنة للسوريين في الداخل والخارج."
    slogan = "الخبر كما هو، من قلب الحدث"
    kicker = f"{name} - {section}"
    body = list(art[3])
    if extra_quote:
        body.insert(1, extra_quote)
    ps = []
    for i, p in enumerate(body):
        ps.append(f"<p>{esc(p)}</p>")
        if i == 1:
            ps.append(f"<p>{esc(appeal)}</p>")
    h = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{esc(art[1])} - {name}</title>
<link rel="canonical" href="https://sawt.example/news/{n}"></head><body>
<header class="site-header"><div class="logo"><a href="/">{name}</a></div><div class="tagline">{slogan}</div>
<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/s">سياسة</a></li><li><a href="/e">اقتصاد</a></li></ul></nav></header>
<div class="container"><div class="main"><article class="post">
<h1 class="entry-title">{esc(art[1])}</h1><div class="meta"><time datetime="{art[2]}">{art[2][:10]}</time></div>
<div class="entry-content"><p class="kicker">{esc(kicker)}</p>
{''.join(ps)}
<p>{esc(sign)}</p></div></article>
<div class="related"><h3>مواضيع ذات صلة</h3><ul>{links(others)}</ul></div></div>
<aside class="sidebar"><h3>الأكثر قراءة</h3><ul>{links(others[::-1])}</ul></aside></div>
<footer><p>{esc(mission)}</p><p>جميع الحقوق محفوظة © 2026 {name}</p></footer></body></html>"""
    return h, [appeal, sign, mission, slogan, kicker]


def page_madar(site, n, art, others, section, extra_quote):
    name = site[1]
    appeal = "الصحافة الجيدة تكلف، وقراؤنا هم من يجعلونها ممكنة كل يوم؛ كن واحداً منهم وساعدنا على الاستمرار."
    app = f"حمّل تطبيق {name} على هاتفك وتابع الأخبار الاقتصادية لحظة بلحظة."
    mission = f"يسعى {name} إلى تبسيط الأخبار الاقتصادية وجعلها في متناول كل قارئ عربي."
    kicker = f"{name} | {section}"
    ps = "".join(f"<p>{esc(p)}</p>" for p in art[3])
    h = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{esc(art[1])} | {name}</title>
<link rel="canonical" href="https://madar.example/a/{n}"></head><body>
<div id="top"><span class="brand">{name}</span><ul class="menu"><li><a href="/m">الأسواق</a></li><li><a href="/e">الطاقة</a></li></ul></div>
<main><article><div class="kicker">{esc(kicker)}</div><h1>{esc(art[1])}</h1>
<section class="story-body">{ps}</section>
<div class="box"><p>{esc(appeal)}</p></div>
<div class="app"><p>{esc(app)}</p></div>
</article><section class="more"><h2>اقرأ المزيد</h2><ul>{links(others)}</ul></section></main>
<footer><div class="about"><p>{esc(mission)}</p></div><div class="copy">© {name} 2026</div></footer></body></html>"""
    return h, [appeal, app, mission, kicker]


def page_nabd(site, n, art, others, section, extra_quote):
    name = site[1]
    note = "الآراء الواردة في المواد المنشورة تعبر عن أصحابها، ولا تعكس بالضرورة موقف الموقع."
    tele = f"تابعوا {name} على تلغرام وواتساب لتصلكم الأخبار أولاً بأول."
    sign = f"{name} - خاص"
    mission = f"{name} موقع إخباري محلي يغطي شؤون الناس اليومية في الأحياء والقرى."
    paras = "".join(f'<div class="para">{esc(p)}</div>' for p in art[3])
    h = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{esc(art[1])}</title></head><body>
<div id="wrap"><div id="head"><a href="/">{name}</a> <span>{section}</span></div>
<div id="content"><h1>{esc(art[1])}</h1><div class="date">{art[2][:10]}</div>
<div class="text">{paras}<div class="para">{esc(sign)}</div></div>
<div class="note">{esc(note)}</div>
<div class="share"><p>{esc(tele)}</p></div>
<div class="tags"><h4>كلمات مفتاحية</h4><a href="/t/{n}">{section}</a></div>
<div class="latest"><h3>آخر الأخبار</h3><ul>{links(others)}</ul></div></div>
<div id="foot"><p>{esc(mission)}</p></div></div></body></html>"""
    return h, [note, tele, sign, mission]


def page_afaq(site, n, art, others, section, extra_quote):
    name = site[1]
    top = f"{name} - {section}"
    opinion = "يهمنا أن نسمع منك: شاركنا رأيك في تغطيتنا، فكل ملاحظة تساعدنا على أن نكون أفضل."
    mission = f"{name} نافذتك على العالم: تغطية مستقلة للشؤون العربية والدولية منذ 2009."
    rel = others[:2]
    body = art[3]
    ps = []
    for i, p in enumerate(body):
        ps.append(f"<p>{esc(p)}</p>")
        if i == 0 and len(body) > 2:
            ps.append(f'<div class="inline-related"><h4>اقرأ أيضاً</h4><ul>{links(rel)}</ul></div>')
    h = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{esc(art[1])} - {name}</title>
<meta property="og:url" content="https://afaq.example/world/{n}"></head><body>
<div class="page"><div class="masthead"><a href="/">{name}</a></div>
<div class="layout"><div class="col-main"><h1>{esc(art[1])}</h1>
<div class="article-text"><p><strong>{esc(top)}</strong></p>{''.join(ps)}
<p><em>{esc(opinion)}</em></p></div></div>
<div class="col-side"><h3>الأكثر مشاهدة</h3><ol>{links(others)}</ol></div></div>
<div class="bottom"><p>{esc(mission)}</p><p>سياسة الخصوصية | اتصل بنا | من نحن</p></div></div></body></html>"""
    return h, [top, opinion, mission]


def page_wasl(site, n, art, others, section, extra_quote):
    name = site[1]
    sign = f"— فريق {name} الرياضي"
    appeal = "لم نطلب يوماً من قرائنا أكثر من المتابعة، أما اليوم فنحتاج دعمكم كي يبقى هذا القسم مفتوحاً للجميع."
    slogan = "الوصل: رياضة بلا حدود"
    text = "<br><br>".join(esc(p) for p in art[3])
    h = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{esc(art[1])}</title></head><body>
<table width="100%"><tr><td class="hdr">{slogan}</td></tr></table>
<div class="content"><h2>{esc(art[1])}</h2><div class="story">{text}<br><br>{esc(sign)}<br>{esc(appeal)}</div></div>
<div class="links"><b>روابط</b><ul>{links(others)}</ul></div>
<div class="ftr">{section} · جميع الحقوق محفوظة لموقع {name}</div></body></html>"""
    return h, [sign, appeal, slogan]


BUILDERS = {"sawt": page_sawt, "madar": page_madar, "nabd": page_nabd, "afaq": page_afaq,
            "wasl": page_wasl}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--ant", default=os.path.join(here, "..", "..", "shared", "corpus", "ant", "ant-v1.1.tar.gz"))
    ap.add_argument("--out", default=os.path.join(here, "..", "build", "template-corpus"))
    ap.add_argument("--pages", type=int, default=12)
    a = ap.parse_args()
    ant = load_ant(a.ant)
    for site in SITES:
        name, _, cat, sections = site
        arts = ant[cat]
        step = max(1, len(arts) // (a.pages + 8))
        chosen = arts[::step][: a.pages + 8]
        pages, pool = chosen[: a.pages], chosen[a.pages:]
        # A statement two of this site's stories quote alike (from another ANT article).
        shared = pool[-1][3][0] if name == "sawt" else None
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        for n, art in enumerate(pages):
            others = [(100 + (n * 3 + k) % len(pool), pool[(n * 3 + k) % len(pool)][1]) for k in range(4)]
            quote = shared if n in (2, 5) else None
            html_text, boiler = BUILDERS[name](site, n, art, others, sections[n % len(sections)], quote)
            body = list(art[3])
            if quote:
                body.insert(1, quote)
            with open(os.path.join(d, f"{n:02d}.html"), "w", encoding="utf-8") as f:
                f.write(html_text)
            with open(os.path.join(d, f"{n:02d}.json"), "w", encoding="utf-8") as f:
                json.dump({"title": art[1], "published": art[2], "body": body, "boiler": boiler,
                           "neutral": [], "ant": art[0]}, f, ensure_ascii=False, indent=1)
    print(f"wrote {len(SITES)} sites x {a.pages} pages under {a.out}")


if __name__ == "__main__":
    main()
