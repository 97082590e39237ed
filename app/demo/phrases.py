"""Evergreen post topics of the demo brands, per pillar and in each brand's languages (English for
Singapore, Malay and English for Malaysia, Indonesian for Indonesia)."""

from __future__ import annotations

from dataclasses import dataclass

from app.models.enums import PostType

_I, _C, _V, _R, _T, _L, _S = (
    PostType.IMAGE,
    PostType.CAROUSEL,
    PostType.VIDEO,
    PostType.REEL,
    PostType.TEXT,
    PostType.LINK,
    PostType.STORY,
)


@dataclass(frozen=True)
class Topic:
    pillar: int
    lang: str
    title: str
    copy: str
    types: tuple[PostType, ...] = (_I, _C, _R)


TOPICS: dict[str, tuple[Topic, ...]] = {
    "lumi": (
        Topic(
            0,
            "en",
            "Why your skin barrier matters",
            "Your skin barrier keeps water in and irritants out. "
            "Office air-con plus 85% humidity outside is a tough combo for it.",
            (_C, _I, _R),
        ),
        Topic(
            0,
            "en",
            "Ceramides 101",
            "Ceramides are the mortar between your skin cells. When they run low, "
            "skin feels tight and stings more easily.",
            (_C, _V),
        ),
        Topic(
            0,
            "en",
            "What pH means for your cleanser",
            "A cleanser around pH 5.5 cleans without stripping. Squeaky-clean is not the goal.",
            (_C, _I),
        ),
        Topic(
            0,
            "en",
            "Sweat, humidity and breakouts",
            "Sweat itself doesn't cause acne, but leaving it on "
            "under a mask or helmet can. Rinse, don't scrub.",
            (_R, _V),
        ),
        Topic(
            1,
            "en",
            "A 3-step routine for humid days",
            "Gentle cleanser, lightweight moisturiser, SPF50. "
            "That's it. More steps are optional, not required.",
            (_R, _C),
        ),
        Topic(
            1,
            "en",
            "How to patch test a new product",
            "Behind the ear or inner arm, twice a day for 5 days. "
            "Redness or itch? Stop and talk to a pharmacist.",
            (_C, _V),
        ),
        Topic(
            1,
            "en",
            "Night routine after a long day",
            "Double cleanse if you wore sunscreen, then moisturise. "
            "Your skin repairs overnight; give it the basics.",
            (_R, _I),
        ),
        Topic(
            2,
            "en",
            "Ingredient spotlight: niacinamide",
            "Niacinamide helps even out tone and supports the barrier. 4-5% is plenty for most skin.",
            (_C, _I),
        ),
        Topic(
            2,
            "en",
            "Ingredient spotlight: panthenol",
            "Panthenol (pro-vitamin B5) draws in water and helps calm dry, tight skin.",
            (_C, _I),
        ),
        Topic(
            2,
            "en",
            "Fragrance-free vs unscented",
            "Unscented can still contain masking fragrance. Fragrance-free means none was added.",
            (_C, _T),
        ),
        Topic(
            3,
            "en",
            "Your routines, your words",
            "We asked the Glow Club to share their shelf. Here's what "
            "sensitive skin looks like in real life.",
            (_C, _I),
        ),
        Topic(
            3,
            "en",
            "Customer story: from flaky to comfortable",
            "Shared with permission: six weeks of simplifying a routine.",
            (_R, _C),
        ),
        Topic(
            4,
            "en",
            "Glow Club double points weekend",
            "Double points on every order this weekend, in store and online.",
            (_I, _L),
        ),
        Topic(
            4,
            "en",
            "Travel-size bundle is back",
            "Cleanser, cream and SPF in 30 ml sizes for your next trip.",
            (_I, _L),
        ),
    ),
    "warisan": (
        Topic(
            0,
            "ms",
            "Nasi lemak sambal sotong",
            "Sambal dimasak perlahan setiap pagi, sotong segar dari "
            "Kuala Selangor. Sedap sampai menjilat jari!",
            (_I, _R),
        ),
        Topic(
            0,
            "ms",
            "Roti bakar kaya butter",
            "Roti dibakar atas arang, kaya dibuat sendiri, butter tebal. Pasangan wajib kopi O anda.",
            (_I, _R),
        ),
        Topic(
            0,
            "en",
            "Half-boiled eggs done right",
            "Seven minutes, a splash of soy and white pepper. The kopitiam breakfast your grandparents knew.",
            (_R, _I),
        ),
        Topic(
            0,
            "ms",
            "Mee goreng mamak istimewa",
            "Pedas, manis, masam: mee goreng kami ikut resipi asal.",
            (_I, _C),
        ),
        Topic(
            1,
            "en",
            "Since 1968: Uncle Lim's first stall",
            "It started with one stall on Jalan Tuanku Abdul Rahman and a single coffee sock.",
            (_C, _V),
        ),
        Topic(
            1,
            "ms",
            "Rahsia kopi O kami",
            "Biji Liberica dan Robusta, digoreng dengan mentega dan gula. Resipi sama sejak 1968.",
            (_V, _C),
        ),
        Topic(
            1,
            "en",
            "Old photos, same coffee",
            "Our first outlet in 1972, and the same marble tables we still use today.",
            (_C, _I),
        ),
        Topic(
            2,
            "ms",
            "Set sarapan jimat",
            "Kopi + roti bakar + telur separuh masak dengan harga istimewa setiap hari bekerja.",
            (_I, _L),
        ),
        Topic(
            2,
            "en",
            "App-only deal this week",
            "Order through the Warisan app and get a free teh tarik with any rice set.",
            (_I, _L),
        ),
        Topic(
            3,
            "ms",
            "Abang barista tarik teh 2 meter",
            "Kak, tengok ni! Abang Azlan tarik teh dari 2 meter tanpa tumpah setitik pun.",
            (_R, _V),
        ),
        Topic(
            3,
            "en",
            "Meet our cooks: Kak Ros",
            "Kak Ros has made our sambal for 22 years. Ask her for the secret and she'll just smile.",
            (_R, _V),
        ),
        Topic(
            3,
            "ms",
            "Sehari di dapur Warisan",
            "Dari pukul 5 pagi: cara kami sediakan 400 bungkus nasi lemak sebelum subuh.",
            (_V, _R),
        ),
        Topic(
            4,
            "ms",
            "Selamat Hari Merdeka",
            "Merdeka! Terima kasih kerana terus bersama kami sejak 1968.",
            (_I,),
        ),
        Topic(
            4,
            "en",
            "Festive set for the family",
            "A festive sharing set for four: nasi lemak, rendang and kuih. Pre-order in the app.",
            (_I, _L),
        ),
        Topic(
            4,
            "en",
            "We're hiring: outlet supervisors",
            "Join the Warisan family. Outlet supervisors wanted in Klang Valley and Penang.",
            (_T, _L),
        ),
    ),
    "senja": (
        Topic(
            0,
            "id",
            "Kopi pagi sebelum meeting",
            "Es kopi susu gula aren, siap dalam 3 menit. Pesan lewat app, ambil tanpa antre.",
            (_R, _I),
        ),
        Topic(
            0,
            "id",
            "Ngopi senja di Kemang",
            "Langit oranye, kopi dingin, teman lama. Itu senja versi kami.",
            (_I, _R),
        ),
        Topic(
            0,
            "id",
            "Cold brew 18 jam",
            "Diseduh dingin selama 18 jam, rasa cokelat dan karamel, tanpa pahit.",
            (_V, _I),
        ),
        Topic(
            0,
            "id",
            "Teman kerja dari rumah",
            "WFH? Kopi Senja literan untuk seminggu, tinggal tuang.",
            (_I, _C),
        ),
        Topic(
            1,
            "id",
            "Dari Bajawa, Flores",
            "Biji arabika Bajawa dipetik merah oleh petani di ketinggian 1.400 mdpl.",
            (_V, _C),
        ),
        Topic(
            1,
            "id",
            "Kenalan dengan Pak Yosef",
            "Pak Yosef menanam kopi sejak 1995. Panen tahun ini terbaik dalam lima tahun.",
            (_V, _R),
        ),
        Topic(
            1,
            "id",
            "Proses natural vs washed",
            "Natural lebih fruity, washed lebih bersih. Kamu tim mana?",
            (_C, _T),
        ),
        Topic(
            2,
            "id",
            "Promo gajian",
            "Tanggal 25-28: beli 2 gratis 1 untuk semua es kopi susu di app.",
            (_I, _L),
        ),
        Topic(
            2,
            "id",
            "Menu baru: kopi pandan",
            "Kopi susu dengan sirup pandan asli. Hanya sampai akhir bulan.",
            (_I, _R),
        ),
        Topic(
            3,
            "id",
            "Barista favorit kalian",
            "Tag barista Kopi Senja yang selalu ingat pesanan kamu!",
            (_I, _C),
        ),
        Topic(
            3,
            "id",
            "Open mic Jumat malam",
            "Jumat ini di Kopi Senja Dago: open mic akustik mulai 19.00.",
            (_I, _S),
        ),
        Topic(
            3,
            "id",
            "Repost dari kalian",
            "Foto-foto senja terbaik minggu ini dari komunitas #NgopiDulu.",
            (_C,),
        ),
        Topic(
            4,
            "id",
            "Lowongan barista",
            "Kami mencari barista di Jakarta, Bandung dan Surabaya. Pelatihan penuh, jenjang karier jelas.",
            (_T, _L),
        ),
        Topic(
            4,
            "id",
            "Cerita store leader",
            "Dari barista paruh waktu jadi store leader dalam 2 tahun: cerita Dinda.",
            (_V, _C),
        ),
    ),
}
