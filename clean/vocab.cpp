#include "clean/vocab.h"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "clean/textutil.h"

namespace rasid::clean::vocab {

namespace {

std::vector<std::string> folded(std::initializer_list<std::string_view> raw) {
  std::vector<std::string> v;
  for (auto r : raw) v.push_back(util::fold(r));
  return v;
}

// The whole block is one of these (after folding): labels of share bars, menus, widgets.
const std::unordered_set<std::string>& exact_lines() {
  static const std::unordered_set<std::string> s = [] {
    std::unordered_set<std::string> r;
    for (auto& x : folded({"شارك",
                           "مشاركة",
                           "شاركها",
                           "شارك الخبر",
                           "شارك المقال",
                           "طباعة",
                           "اطبع",
                           "مناقشة",
                           "التعليقات",
                           "تعليقات",
                           "تعليق",
                           "ع ع ع",
                           "ع",
                           "عع",
                           "×",
                           "إغلاق",
                           "أغلق",
                           "القائمة",
                           "بحث",
                           "المزيد",
                           "اقرأ المزيد",
                           "المزيد من الأخبار",
                           "الرئيسية",
                           "فيسبوك",
                           "فيس بوك",
                           "تويتر",
                           "واتساب",
                           "واتس اب",
                           "تلغرام",
                           "تليغرام",
                           "تيليجرام",
                           "يوتيوب",
                           "انستغرام",
                           "انستجرام",
                           "لينكدإن",
                           "إكس",
                           "البريد الإلكتروني",
                           "نسخ",
                           "نسخ الرابط",
                           "تم النسخ",
                           "جار التحميل",
                           "إعلان",
                           "اعلان",
                           "مساحة إعلانية",
                           "الوسوم",
                           "وسوم",
                           "كلمات مفتاحية",
                           "الكلمات المفتاحية",
                           "share",
                           "share this",
                           "share this article",
                           "shares",
                           "print",
                           "email",
                           "e-mail",
                           "mail",
                           "tweet",
                           "pin",
                           "pin it",
                           "comments",
                           "comment",
                           "0 comments",
                           "advertisement",
                           "advertising",
                           "ad",
                           "sponsored",
                           "close",
                           "menu",
                           "search",
                           "home",
                           "facebook",
                           "twitter",
                           "whatsapp",
                           "telegram",
                           "linkedin",
                           "pinterest",
                           "reddit",
                           "flipboard",
                           "copy link",
                           "copy",
                           "loading",
                           "more",
                           "read more",
                           "tags",
                           "topics",
                           "related",
                           "skip to content",
                           "skip to main content",
                           "x",
                           "next",
                           "previous",
                           "prev",
                           "back",
                           "top",
                           "photo",
                           "image",
                           "video",
                           "play",
                           "watch",
                           "listen",
                           "subscribe",
                           "sign in",
                           "log in",
                           "login",
                           "register",
                           "sign up",
                           "text size",
                           "caption",
                           "hide caption",
                           "toggle caption",
                           "enlarge this image",
                           "expand",
                           "view gallery",
                           "gallery",
                           "photos",
                           "listen to this article",
                           "audio",
                           "iklan",
                           "werbung",
                           "publicidad",
                           "publicité",
                           "anzeige",
                           "реклама"}))
      r.insert(x);
    return r;
  }();
  return s;
}

// Short blocks containing one of these are chrome lines.
const std::vector<std::string>& contained_lines() {
  static const std::vector<std::string> v = folded({
      // comment forms (WordPress Arabic strings)
      "اترك تعليقا",
      "اترك تعليق",
      "اترك ردا",
      "أضف تعليق",
      "أضف تعليقك",
      "أكتب تعليق",
      "لن يتم نشر عنوان بريدك",
      "لن يتم نشر البريد",
      "الحقول الإلزامية",
      "الحقول المطلوبة",
      "احفظ اسمي",
      "إرسال التعليق",
      "أرسل التعليق",
      "سجل الدخول للتعليق",
      "يجب أن تكون مسجل",
      // share / copy
      "انسخ الرابط",
      "نسخ الرابط",
      "تم نسخ الرابط",
      "شارك على",
      "شارك عبر",
      "شارك هذا",
      "شارك المقال",
      "شارك الخبر",
      "أرسل لصديق",
      "الرابط المختصر",
      // follow
      "تابعونا",
      "تابعنا على",
      "انضم إلى قناتنا",
      "انضموا إلى",
      "اشترك في قناتنا",
      "اشترك في قناة",
      "تابع آخر الأخبار",
      // donation
      "تبرع الآن",
      "للمساهمة",
      "ساهم في دعم",
      "ساهم معنا",
      "اضغط هنا",
      // back to top
      "الذهاب إلى الأعلى",
      "العودة إلى الأعلى",
      "العودة للأعلى",
      "الرجوع للأعلى",
      "إلى الأعلى",
      // copyright
      "جميع الحقوق محفوظة",
      "كل الحقوق محفوظة",
      "الحقوق محفوظة",
      "حقوق النشر",
      "حقوق الطبع",
      "©",
      // font size
      "حجم الخط",
      "تكبير الخط",
      "تصغير الخط",
      "ع ع ع",
      // newsletter, apps, cookies
      "اشترك في النشرة",
      "النشرة البريدية",
      "النشرة الإخبارية",
      "احصل على أهم الأخبار",
      "اشترك الآن",
      "سجل الآن",
      "ملفات تعريف الارتباط",
      "الكوكيز",
      "حمل تطبيق",
      "حمّل تطبيق",
      "نزل تطبيق",
      "تحميل التطبيق",
      // tags, site links
      "الكلمات المفتاحية",
      "كلمات مفتاحية",
      "كلمات دلالية",
      "سياسة الخصوصية",
      "شروط الاستخدام",
      "أعلن معنا",
      "اتصل بنا",
      // English
      "leave a comment",
      "leave a reply",
      "post a comment",
      "add a comment",
      "your email address will not be published",
      "required fields are marked",
      "save my name",
      "post comment",
      "share this",
      "share on",
      "share via",
      "share with",
      "copy link",
      "link copied",
      "follow us",
      "sign up for",
      "subscribe to",
      "subscribe now",
      "newsletter",
      "all rights reserved",
      "copyright",
      "back to top",
      "click here",
      "cookies",
      "cookie policy",
      "download the app",
      "get the app",
      "sponsored content",
      "privacy policy",
      "terms of use",
      "terms of service",
      "terms and conditions",
      "you may also like",
      "recommended for you",
      "we recommend",
      "trending now",
      "most popular",
      "most read",
      "most viewed",
      "related articles",
      "related stories",
      "related posts",
      "related content",
      "read more",
      "read also",
      "also read",
      "see also",
      "more from",
      "more stories",
      "story continues below",
      "continue reading",
      "advertisement",
      "this article was",
      "is loading",
      "javascript",
      "please enable",
      "your browser",
      "join the conversation",
      "comments are closed",
      "view comments",
      "show comments",
      "log in to comment",
      "sign in to comment",
      "contributed to this report",
      "contributed reporting",
      "like this story",
      "share it with",
      "successfully subscribed",
      "problem subscribing",
      "if you enjoyed this article",
      "filed under",
      "thanks for reading",
      "thank you for reading",
      "sign up to receive",
      "get our newsletter",
      "we'd love to hear",
      // sentence-like Arabic chrome
      "إذا أعجبك هذا المقال",
      "إذا أعجبك المقال",
      "شارك هذا المقال",
      "شارك المقال مع",
      "تم الاشتراك بنجاح",
      "اشترك في نشرتنا",
      "اشترك في النشرة",
      "ساهم في إعداد هذا",
      "ساهم في إعداد التقرير",
      "شكرا لقراءتك",
      "حمل التطبيق",
      "يمكنكم متابعة",
      "لمتابعة آخر الأخبار",
      "للاطلاع على المزيد",
      "انقر هنا",
      "اضغط على الرابط",
  });
  return v;
}

// Blocks of at most a few words that announce a chrome section.
const std::vector<std::string>& section_intros() {
  static const std::vector<std::string> v = folded({"مقالات ذات صلة",
                                                    "مقالات متعلقة",
                                                    "أخبار ذات صلة",
                                                    "أخبار متعلقة",
                                                    "مواضيع ذات صلة",
                                                    "مواضيع متعلقة",
                                                    "ذات صلة",
                                                    "الأكثر قراءة",
                                                    "الأكثر مشاهدة",
                                                    "الأكثر تداولا",
                                                    "الأكثر تعليقا",
                                                    "الأكثر شعبية",
                                                    "اقرأ أيضا",
                                                    "إقرأ أيضا",
                                                    "اقرأ ايضا",
                                                    "شاهد أيضا",
                                                    "قد يهمك",
                                                    "قد يعجبك",
                                                    "قد يهمك أيضا",
                                                    "اخترنا لك",
                                                    "المزيد من",
                                                    "آخر الأخبار",
                                                    "أحدث الأخبار",
                                                    "أخبار أخرى",
                                                    "مقالات أخرى",
                                                    "التعليقات",
                                                    "اترك تعليقا",
                                                    "اترك ردا",
                                                    "أضف تعليق",
                                                    "related articles",
                                                    "related stories",
                                                    "related posts",
                                                    "related",
                                                    "most read",
                                                    "most popular",
                                                    "most viewed",
                                                    "read more",
                                                    "read also",
                                                    "more stories",
                                                    "you may also like",
                                                    "recommended",
                                                    "comments",
                                                    "leave a reply",
                                                    "leave a comment",
                                                    "trending",
                                                    "more from",
                                                    "latest news",
                                                    "latest stories",
                                                    "popular",
                                                    "see also",
                                                    "also read",
                                                    "more on this story",
                                                    "related topics",
                                                    "more in",
                                                    "don't miss",
                                                    "dont miss",
                                                    "must read",
                                                    "more on this",
                                                    "watch next",
                                                    "up next",
                                                    "read next",
                                                    "more news",
                                                    "further reading",
                                                    "you might also like",
                                                    "recommended stories",
                                                    "editor's picks"});
  return v;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p &&
         (s.size() == p.size() || s[p.size()] == ' ');
}

bool contains_phrase(std::string_view s, std::string_view p) {
  std::size_t pos = 0;
  while ((pos = s.find(p, pos)) != std::string_view::npos) {
    bool left = pos == 0 || s[pos - 1] == ' ';
    std::size_t e = pos + p.size();
    // Arabic phrases may carry a clitic on the right (…ًا → ا is folded, تعليقك) and ASCII
    // phrases may be plurals: accept any right edge for phrases of two words or more.
    bool right = e == s.size() || s[e] == ' ' || p.find(' ') != std::string_view::npos;
    if (left && right) return true;
    pos = e;
  }
  return false;
}

const std::vector<std::string>& platforms() {
  static const std::vector<std::string> v =
      folded({"تلغرام",    "التلغرام",  "تليغرام",  "التليغرام",   "تيليجرام", "تويتر",
              "فيسبوك",    "فيس بوك",   "يوتيوب",   "انستغرام",    "انستجرام", "واتساب",
              "جوجل نيوز", "غوغل نيوز", "قناتنا",   "telegram",    "twitter",  "facebook",
              "youtube",   "instagram", "whatsapp", "google news", "tiktok",   "تيك توك"});
  return v;
}

std::size_t word_count(std::string_view f) {
  if (f.empty()) return 0;
  return static_cast<std::size_t>(std::count(f.begin(), f.end(), ' ')) + 1;
}

}  // namespace

Chrome classify(std::string_view block) {
  std::string f = util::fold(block);
  if (f.empty()) {
    // Only punctuation/symbols: "×", "|", "»" … are chrome; "©" alone too.
    return block.empty() ? Chrome::none : Chrome::line;
  }
  std::size_t words = word_count(f);
  if (words > 30) return Chrome::none;
  // Math captchas of comment forms: "واحد × اثنان =", "3 + 4 = ?".
  {
    std::string_view t = block;
    while (!t.empty() && (t.back() == ' ' || t.back() == '?')) t.remove_suffix(1);
    if (words <= 8 && !t.empty() && t.back() == '=') return Chrome::line;
  }
  if (words <= 6) {
    for (const auto& p : section_intros())
      if (f == p) return Chrome::section;
  }
  if (exact_lines().count(f) != 0) return Chrome::line;
  if (words <= 20) {
    for (const auto& p : contained_lines())
      if (contains_phrase(f, p)) return Chrome::line;
    // "تابع <site> على التلغرام", "follow us on Twitter"
    if (starts_with(f, "تابع") || starts_with(f, "تابعوا") || starts_with(f, "تابعونا") ||
        starts_with(f, "follow") || starts_with(f, "join") || starts_with(f, "اشترك")) {
      for (const auto& p : platforms())
        if (contains_phrase(f, p)) return Chrome::line;
    }
    if (starts_with(f, "ادعم") || starts_with(f, "ادعمنا") || starts_with(f, "ادعمونا") ||
        starts_with(f, "support us") || starts_with(f, "donate"))
      return Chrome::line;
    // Gallery counters: "1 of 6".
    if (words == 3) {
      auto sp1 = f.find(' '), sp2 = f.find(' ', sp1 + 1);
      std::string_view a = std::string_view(f).substr(0, sp1);
      std::string_view c = std::string_view(f).substr(sp1 + 1, sp2 - sp1 - 1);
      std::string_view d = std::string_view(f).substr(sp2 + 1);
      auto digits = [](std::string_view x) {
        return !x.empty() &&
               std::all_of(x.begin(), x.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      };
      if (digits(a) && (c == "of" || c == "من") && digits(d)) return Chrome::line;
    }
    // Credits of the reporting: "(Reporting by …; Editing by …)".
    for (std::string_view p : {"reporting by", "additional reporting by", "editing by",
                               "writing by", "compiled by", "edited by"})
      if (starts_with(f, p) && words <= 40) return Chrome::line;
    // Gallery counters: "Image 1 of 5", "صورة 2 من 7".
    if (words == 4) {
      auto w = f;
      auto sp1 = w.find(' '), sp2 = w.find(' ', sp1 + 1), sp3 = w.find(' ', sp2 + 1);
      std::string_view a = std::string_view(w).substr(0, sp1);
      std::string_view b = std::string_view(w).substr(sp1 + 1, sp2 - sp1 - 1);
      std::string_view c = std::string_view(w).substr(sp2 + 1, sp3 - sp2 - 1);
      std::string_view d = std::string_view(w).substr(sp3 + 1);
      auto digits = [](std::string_view x) {
        return !x.empty() &&
               std::all_of(x.begin(), x.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      };
      if ((a == "image" || a == "photo" || a == "slide" || a == "picture" || a == "صوره") &&
          digits(b) && (c == "of" || c == "من") && digits(d))
        return Chrome::line;
    }
    // Relative times of a post-meta line: "منذ 3 سنوات", "3 hours ago".
    if (words <= 5 &&
        (starts_with(f, "منذ") || (f.size() > 4 && f.substr(f.size() - 4) == " ago"))) {
      static const std::vector<std::string> units =
          folded({"ثانية",   "ثوان",   "دقيقة",  "دقيقتين", "دقائق",   "ساعة",   "ساعتين", "ساعات",
                  "يوم",     "يومين",  "أيام",   "أسبوع",   "أسبوعين", "أسابيع", "شهر",    "شهرين",
                  "أشهر",    "شهور",   "سنة",    "سنتين",   "سنوات",   "عام",    "عامين",  "أعوام",
                  "seconds", "second", "minute", "minutes", "hour",    "hours",  "day",    "days",
                  "week",    "weeks",  "month",  "months",  "year",    "years"});
      for (const auto& u : units)
        if (contains_phrase(f, u)) return Chrome::line;
    }
    // "اقرأ أيضاً: <headline>"
    for (std::string_view p :
         {"اقرا ايضا", "اقرا كذلك", "اقرا المزيد", "شاهد ايضا", "شاهد ايضا", "read also",
          "read more", "see also", "also read", "related", "more"}) {
      if (starts_with(f, util::fold(p)) && words <= 20 && (p != "more" && p != "related")) {
        return Chrome::line;
      }
    }
  }
  return Chrome::none;
}

namespace {

const std::unordered_set<std::string_view>& positive_words() {
  static const std::unordered_set<std::string_view> s = {
      "article",   "articlebody", "body",     "content", "entry",  "hentry", "main",
      "post",      "text",        "story",    "blog",    "news",   "detail", "details",
      "paragraph", "prose",       "richtext", "copy",    "single", "page"};
  return s;
}

const std::unordered_set<std::string_view>& strong_words() {
  static const std::unordered_set<std::string_view> s = {"share",
                                                         "sharing",
                                                         "sharebar",
                                                         "shares",
                                                         "social",
                                                         "socials",
                                                         "related",
                                                         "comment",
                                                         "comments",
                                                         "respond",
                                                         "reply",
                                                         "replies",
                                                         "sidebar",
                                                         "widget",
                                                         "widgets",
                                                         "breadcrumb",
                                                         "breadcrumbs",
                                                         "newsletter",
                                                         "subscribe",
                                                         "subscription",
                                                         "popup",
                                                         "modal",
                                                         "cookie",
                                                         "cookies",
                                                         "donate",
                                                         "donation",
                                                         "promo",
                                                         "advert",
                                                         "advertisement",
                                                         "ads",
                                                         "ad",
                                                         "adv",
                                                         "sponsor",
                                                         "sponsored",
                                                         "taboola",
                                                         "outbrain",
                                                         "disqus",
                                                         "mostread",
                                                         "popular",
                                                         "trending",
                                                         "tags",
                                                         "tag",
                                                         "nav",
                                                         "navbar",
                                                         "navigation",
                                                         "menu",
                                                         "footer",
                                                         "masthead",
                                                         "toolbar",
                                                         "print",
                                                         "rating",
                                                         "recommended",
                                                         "recommendations",
                                                         "login",
                                                         "signup",
                                                         "gdpr",
                                                         "consent",
                                                         "skip",
                                                         "ticker",
                                                         "banner",
                                                         "dfp",
                                                         "gpt",
                                                         "teaser",
                                                         "teasers",
                                                         "upsell",
                                                         "overlay",
                                                         "rss",
                                                         "follow",
                                                         "pagination",
                                                         "pager",
                                                         "crosslink",
                                                         "readmore",
                                                         "also",
                                                         "byline",
                                                         "author",
                                                         "bio",
                                                         "copyright",
                                                         "newsletters",
                                                         "signin",
                                                         "rollover",
                                                         "tooltip",
                                                         "popover",
                                                         "hovercard",
                                                         "caption",
                                                         "captions",
                                                         "credit",
                                                         "credits",
                                                         "figcaption",
                                                         "photocredit"};
  return s;
}

const std::unordered_set<std::string_view>& weak_negative_words() {
  static const std::unordered_set<std::string_view> s = {
      "meta",      "header",   "foot",     "contact",   "footnote", "scroll", "tool",
      "tools",     "shopping", "more",     "date",      "icon",     "icons",  "thumb",
      "thumbnail", "aside",    "extra",    "links",     "cards",    "most",   "latest",
      "recent",    "combx",    "shoutbox", "skyscraper"};
  return s;
}

bool any_phrase(std::string_view f, const std::vector<std::string>& phrases) {
  for (const auto& p : phrases)
    if (contains_phrase(f, p)) return true;
  return false;
}

}  // namespace

bool bot_challenge_phrase(std::string_view f) {
  static const auto v = folded({
      "just a moment",
      "checking your browser",
      "checking if the site connection is secure",
      "attention required cloudflare",
      "verify you are human",
      "verifying you are human",
      "enable javascript and cookies to continue",
      "ddos protection by",
      "ddos-guard",
      "please wait while we are checking your browser",
      "access denied",
      "performance security by cloudflare",
      "جار التحقق من المتصفح",
      "يتم التحقق من متصفحك",
      "تحقق من أنك إنسان",
  });
  return any_phrase(f, v);
}

bool consent_phrase(std::string_view f) {
  static const auto v = folded({
      "we value your privacy",
      "before you continue",
      "accept all cookies",
      "reject all cookies",
      "manage cookie preferences",
      "cookie consent",
      "consent to the use of cookies",
      "we and our partners use cookies",
      "نستخدم ملفات تعريف الارتباط",
      "ملفات تعريف الارتباط",
      "نستخدم الكوكيز",
      "قبول جميع ملفات",
      "نحن نحترم خصوصيتك",
  });
  return any_phrase(f, v);
}

bool login_wall_phrase(std::string_view f) {
  static const auto v = folded({
      "subscribe to continue reading",
      "subscribe to read",
      "to continue reading",
      "sign in to continue",
      "log in to continue",
      "sign in to read",
      "log in to read",
      "this content is for subscribers",
      "this article is for subscribers",
      "subscribers only",
      "already a subscriber",
      "create a free account to continue",
      "للمشتركين فقط",
      "اشترك لمتابعة القراءة",
      "اشترك للمتابعة",
      "سجل الدخول للمتابعة",
      "سجل دخولك للمتابعة",
      "تسجيل الدخول لمتابعة القراءة",
      "هذا المحتوى متاح للمشتركين",
      "هذا المحتوى حصري للمشتركين",
  });
  return any_phrase(f, v);
}

bool not_found_phrase(std::string_view f) {
  static const auto v = folded({
      "page not found",
      "404 not found",
      "error 404",
      "404 error",
      "not found",
      "page does not exist",
      "page you requested could not be found",
      "الصفحة غير موجودة",
      "الصفحة المطلوبة غير موجودة",
      "لم يتم العثور على الصفحة",
      "الصفحة التي تبحث عنها غير موجودة",
      "خطأ 404",
  });
  if (f == "404") return true;
  return any_phrase(f, v);
}

int class_word_weight(std::string_view w) {
  if (positive_words().count(w) != 0) return 1;
  if (strong_words().count(w) != 0 || weak_negative_words().count(w) != 0) return -1;
  return 0;
}

bool strong_chrome_word(std::string_view w) { return strong_words().count(w) != 0; }

}  // namespace rasid::clean::vocab
