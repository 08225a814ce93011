"""What the app tells users about web pages and feeds they add by address, in English and
Arabic (`Notice`s, as for uploads: the values are escaped and isolated by the page)."""

from __future__ import annotations

from collections.abc import Sequence

from service.notices import UPLOAD_LIMIT_BYTES, Notice, megabytes, notice

# -- why an address is refused or its page not fetched --------------------------------------

PAGE_KNOWN = notice(
    "This page was added before; remove it from the list first to fetch it again.",
    "أُضيفت هذه الصفحة من قبل؛ أزلها من القائمة أولاً لجلبها مجدداً.",
)
NO_ADDRESS = notice("Enter the address of a page or a feed.", "أدخل عنوان صفحة أو موجز.")
URL_SCHEME = notice(
    "Only web addresses starting with http:// or https:// can be added.",
    "يمكن إضافة عناوين الويب التي تبدأ بـ http:// أو https:// فقط.",
)
URL_LONG = notice(
    "The address is longer than 2000 characters; it was not fetched.",
    "العنوان أطول من 2000 حرف؛ لم يُجلب.",
)
URL_CREDENTIALS = notice(
    "Addresses with a user name or password are not fetched.",
    "لا تُجلب العناوين التي تتضمن اسم مستخدم أو كلمة مرور.",
)
URL_PRIVATE = notice(
    "The address leads to this machine or a private network, which is not fetched.",
    "العنوان يقود إلى هذا الجهاز أو إلى شبكة خاصة، ولا تُجلب منه صفحات.",
)
URL_REDIRECTS = notice(
    "The address redirects too many times; it was not fetched.",
    "العنوان يُعيد التوجيه مرات كثيرة؛ لم يُجلب.",
)
URL_ENDLESS = notice(
    "The page is larger than {limit} MB (or never ends); it was not added.",
    "الصفحة أكبر من {limit} ميغابايت (أو لا تنتهي)؛ لم تُضف.",
    limit=megabytes(UPLOAD_LIMIT_BYTES),
)


def url_slow(seconds: float) -> Notice:
    return notice(
        "The site did not send the page within {seconds} s; it was not added.",
        "لم يُرسل الموقع الصفحة خلال {seconds} ثانية؛ لم تُضف.",
        seconds=f"{seconds:g}",
    )


def url_status(status: int) -> Notice:
    return notice(
        "The site answered with HTTP error {status}; nothing was added.",
        "ردّ الموقع بخطأ HTTP رقم {status}؛ لم يُضف شيء.",
        status=status,
    )


def url_type(kind: str, accepted: Sequence[str]) -> Notice:
    return notice(
        "The address holds {kind}, not a web page or feed ({accepted}).",
        "العنوان يحتوي {kind} وليس صفحة ويب أو موجزاً ({accepted}).",
        kind=kind,
        accepted=", ".join(accepted),
    )


def url_unreachable(kind: str) -> Notice:
    return notice(
        "The site could not be reached ({kind}).",
        "تعذّر الوصول إلى الموقع ({kind}).",
        kind=kind,
    )


def page_too_large(size: int) -> Notice:
    return notice(
        "The page is {size} MB; the limit is {limit} MB.",
        "حجم الصفحة {size} ميغابايت، والحد الأقصى {limit} ميغابايت.",
        size=megabytes(size),
        limit=megabytes(UPLOAD_LIMIT_BYTES),
    )


def fetch_failed(address: str, reason: Notice) -> Notice:
    return Notice(
        "{address}: " + reason.en, "{address}: " + reason.ar, {"address": address, **reason.values}
    )


# -- feeds --------------------------------------------------------------------------------------

FEED_BUSY = notice(
    "Another refresh of the feeds is running; try again when it ends.",
    "يجري تحديث آخر للموجزات؛ حاول مجدداً عند انتهائه.",
)
NO_FEEDS = notice("No feeds have been added yet.", "لم تُضف أي موجزات بعد.")


def not_a_feed(reason: str) -> Notice:
    return notice(
        "This is not an RSS or Atom feed ({reason}).",
        "هذا ليس موجز RSS أو Atom ({reason}).",
        reason=reason,
    )


def feed_checked(title: str, new: int, seen: int) -> Notice:
    return notice(
        "{title}: {new} new item(s) fetched, {seen} seen before.",
        "{title}: جُلب {new} من العناصر الجديدة، و{seen} سبق رؤيتها.",
        title=title,
        new=new,
        seen=seen,
    )
