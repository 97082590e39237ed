"""Campaign post topics of the demo brands, and the angles and calls to action that vary titles and copy."""

from __future__ import annotations

from app.demo.phrases import Topic
from app.models.enums import PostType

_I, _C, _V, _R, _T, _L = (
    PostType.IMAGE,
    PostType.CAROUSEL,
    PostType.VIDEO,
    PostType.REEL,
    PostType.TEXT,
    PostType.LINK,
)

CAMPAIGN_TOPICS: dict[str, tuple[Topic, ...]] = {
    "barrier-repair-launch": (
        Topic(
            2,
            "en",
            "Meet the Barrier Repair Cream",
            "Three ceramides, cholesterol and fatty acids in the ratio skin uses itself. Fragrance-free.",
            (_C, _R, _V),
        ),
        Topic(
            2,
            "en",
            "Barrier Repair Cream: your questions",
            "Can I use it with retinol? Under sunscreen? We answered your top 8 questions.",
            (_C,),
        ),
    ),
    "sunscreen-myths": (
        Topic(
            0,
            "en",
            "Myth: you don't need SPF indoors",
            "UVA passes through windows. If you sit by one, SPF is part of your routine.",
            (_C, _R),
        ),
        Topic(
            0,
            "en",
            "Myth: darker skin doesn't burn",
            "All skin tones can burn and all can get sun damage. SPF is for everyone.",
            (_C, _R),
        ),
    ),
    "glow-club": (
        Topic(
            4,
            "en",
            "Join the Glow Club",
            "Points on every purchase, birthday treats and early access to launches. Sign up free.",
            (_I, _L),
        ),
        Topic(
            4, "en", "Glow Club: double points month", "All month: double points on every order.", (_I, _L)
        ),
    ),
    "ceramide-serum-launch": (
        Topic(
            2,
            "en",
            "Coming soon: Ceramide Serum",
            "Lighter than our cream, made for humid days. Join the waitlist.",
            (_R, _I),
        ),
    ),
    "kopi-o-classics": (
        Topic(
            1,
            "ms",
            "Kopi O: klasik sejak 1968",
            "Kopi O pekat, manis, wangi. Rasa yang tak pernah berubah.",
            (_V, _I),
        ),
    ),
    "nasi-lemak-week": (
        Topic(
            0,
            "ms",
            "Minggu Nasi Lemak bermula!",
            "Tujuh hari, tujuh lauk istimewa. Hari ini: rendang ayam.",
            (_I, _R),
        ),
    ),
    "breakfast-set-rm990": (
        Topic(
            2,
            "ms",
            "Set Sarapan RM9.90",
            "Kopi O + roti bakar + 2 telur separuh masak, RM9.90 sahaja, Isnin-Jumaat 7-11 pagi.",
            (_I, _R, _L),
        ),
        Topic(
            2,
            "en",
            "Breakfast for RM9.90",
            "Kopi, toast and two half-boiled eggs for RM9.90, weekdays 7-11 am.",
            (_I, _L),
        ),
    ),
    "penang-outlet-opening": (
        Topic(
            0,
            "en",
            "Penang, we're coming!",
            "Our first Penang outlet opens at Gurney Drive. Free kopi for the first 200 guests.",
            (_I, _R),
        ),
    ),
    "es-kopi-susu-series": (
        Topic(
            0,
            "id",
            "Es kopi susu rasa baru",
            "Tiga rasa baru: gula aren, pandan, dan karamel asin. Kamu pilih yang mana?",
            (_R, _C),
        ),
    ),
    "petani-flores": (
        Topic(
            1,
            "id",
            "Cerita Petani Flores: episode baru",
            "Episode baru: panen di Bajawa dan perjalanan biji kopi ke gelasmu.",
            (_V,),
        ),
    ),
    "senja-rewards": (
        Topic(
            2,
            "id",
            "Senja Rewards: poin dobel",
            "Setiap Senin-Jumat poin dobel untuk semua pesanan di app.",
            (_I, _L),
        ),
        Topic(
            2, "id", "Tukar poin jadi kopi gratis", "100 poin = 1 es kopi susu. Cek poinmu di app.", (_I, _L)
        ),
    ),
    "langganan-kopi-pagi": (
        Topic(
            2, "id", "Langganan kopi pagi", "Kopi pagi tiap hari kerja, bayar bulanan, hemat 30%.", (_I, _L)
        ),
    ),
}

ANGLES: dict[str, tuple[str, ...]] = {
    "en": (
        "quick tips",
        "myth vs fact",
        "your questions",
        "behind the scenes",
        "3 things to know",
        "the short version",
        "how-to",
        "before you buy",
    ),
    "ms": (
        "tips pantas",
        "mitos vs fakta",
        "soal jawab",
        "di sebalik tabir",
        "3 perkara",
        "versi ringkas",
        "cara-cara",
        "anda tahu?",
    ),
    "id": (
        "tips cepat",
        "mitos vs fakta",
        "tanya jawab",
        "di balik layar",
        "3 hal penting",
        "versi singkat",
        "cara",
        "tahukah kamu?",
    ),
}

CTAS: dict[str, tuple[str, ...]] = {
    "en": (
        "Save this for later.",
        "Tell us in the comments.",
        "Link in bio.",
        "Tag someone who needs this.",
        "Share with a friend.",
    ),
    "ms": (
        "Simpan untuk nanti.",
        "Komen di bawah!",
        "Pautan di bio.",
        "Tag kawan anda!",
        "Jom singgah hari ini!",
    ),
    "id": (
        "Simpan dulu, ya.",
        "Tulis di kolom komentar!",
        "Link di bio.",
        "Tag teman ngopimu!",
        "Yuk, mampir hari ini!",
    ),
}
