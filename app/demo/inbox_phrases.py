"""Community texts of the demo: what customers write (by language and sentiment), the team's reply
templates, author names, and the allergic-reaction incident's messages, timeline and post-mortem."""

from __future__ import annotations

from app.models.enums import TimelineKind

PRODUCTS: dict[str, tuple[str, ...]] = {
    "lumi": ("Barrier Repair Cream", "Gentle Gel Cleanser", "SPF50 Daily Fluid", "Ceramide Serum"),
    "warisan": ("kopi O", "nasi lemak", "roti bakar", "teh tarik", "mee goreng"),
    "senja": ("es kopi susu", "kopi gula aren", "cold brew", "kopi pandan"),
}
OUTLETS: dict[str, tuple[str, ...]] = {
    "lumi": ("Plaza Singapura", "Tampines Mall", "the online store", "Jewel Changi"),
    "warisan": ("SS15 Subang", "Jalan Alor", "Bangsar", "Johor Bahru City Square"),
    "senja": ("Kemang", "Blok M", "Dago Bandung", "Tunjungan Surabaya"),
}

# language -> sentiment -> bodies; {product} and {outlet} are filled per brand.
INBOUND: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": (
            "Love the {product}! My skin hasn't felt this calm in months",
            "Best {product} in town, the team at {outlet} is always so friendly",
            "Just tried the {product}, totally worth it 😍",
            "This post is so helpful, saving it!",
            "Been a customer for years and you never disappoint",
            "Thank you for replying so fast yesterday, sorted my order",
            "The new packaging looks great",
            "Finally a brand that explains things properly 👏",
        ),
        "neutral": (
            "Is the {product} available at {outlet}?",
            "What time does {outlet} open on Sunday?",
            "Do you ship to Johor?",
            "Can I use the {product} together with retinol?",
            "Is there a student discount?",
            "How do I join the loyalty programme?",
            "Is this halal certified?",
            "Which size is in the bundle?",
        ),
        "negative": (
            "Waited 25 minutes at {outlet} and the order was still wrong",
            "My order hasn't arrived after 6 days. Refund please",
            "The {product} gave me a rash, is this normal??",
            "Price went up again? Not cool",
            "Your app keeps crashing at checkout",
            "Staff at {outlet} were rude today, very disappointed",
        ),
    },
    "zh": {
        "positive": (
            "{product}真的很好用，皮肤舒服多了！",
            "{outlet}的店员很亲切，谢谢！",
            "已经回购第三次了，推荐给朋友",
            "这个教学很实用，收藏了",
        ),
        "neutral": (
            "请问{outlet}有{product}吗？",
            "敏感肌可以用吗？",
            "请问有没有小样可以试用？",
            "会员积分怎么查？",
        ),
        "negative": (
            "用了{product}之后脸有点过敏，怎么办？",
            "订单一个星期还没到，请尽快处理",
            "价格又涨了，有点失望",
        ),
    },
    "ms": {
        "positive": (
            "Sedap gila {product} kat {outlet}! Mesti datang lagi",
            "Kopi O paling best, macam zaman atuk dulu",
            "Terima kasih staf {outlet}, layanan terbaik 👍",
            "Video abang tarik teh tu memang power 😂",
            "Harga berpatutan, portion banyak. Puas hati!",
            "Suka tengok cerita lama kedai ni",
        ),
        "neutral": (
            "{outlet} buka pukul berapa hari Ahad?",
            "Ada delivery ke Shah Alam tak?",
            "Set sarapan tu ada setiap hari ke?",
            "Boleh tempah untuk majlis 50 orang?",
            "Menu ni halal ke?",
            "Ada cawangan baru kat Penang bila?",
        ),
        "negative": (
            "Tunggu 30 minit kat {outlet}, order masih salah",
            "{product} hari ni sejuk dan keras, kecewa",
            "Harga naik lagi tapi portion makin kecil",
            "Meja kotor, lalat banyak kat {outlet}. Tolong ambil tindakan",
            "App tak boleh bayar, dah cuba 3 kali",
        ),
    },
    "id": {
        "positive": (
            "{product} di {outlet} enak banget, langganan tiap pagi!",
            "Baristanya ramah, pesanan selalu diingat 🥹",
            "Promo gajiannya mantap, makasih Kopi Senja!",
            "Videonya bagus, jadi pengen ke Flores",
            "Kopi pandan juara! Tolong jadi menu tetap ya",
            "Aplikasinya makin cepat, suka",
        ),
        "neutral": (
            "Kak, {outlet} buka jam berapa?",
            "Poin Senja Rewards bisa dipakai di semua store?",
            "Ada menu tanpa gula nggak?",
            "Lowongan barista masih buka?",
            "Bisa pesan untuk acara kantor 40 cup?",
            "Cold brew literan tahan berapa hari di kulkas?",
        ),
        "negative": (
            "Pesanan lewat app sudah 40 menit belum jadi di {outlet}",
            "{product} hari ini rasanya encer banget, kecewa",
            "Poin saya hilang setelah update aplikasi",
            "Saya minta refund, pesanan tidak sampai",
            "Antrean di {outlet} parah, kasir cuma satu",
        ),
    },
}

REPLIES: dict[str, tuple[str, ...]] = {
    "en": (
        "Thank you so much for the kind words! 💛",
        "Hi! Yes, it is. We've sent you a DM with details.",
        "So sorry about this. We've sent you a DM to sort it out right away.",
    ),
    "zh": ("谢谢您的支持！💛", "您好，已私信您详细信息。", "非常抱歉，我们已私信您，会尽快处理。"),
    "ms": (
        "Terima kasih banyak! Jumpa lagi 😊",
        "Hai! Ya, ada. Kami dah DM maklumat lanjut.",
        "Maaf atas kesulitan ini. Kami dah DM untuk bantu segera.",
    ),
    "id": (
        "Terima kasih banyak, Kak! 💛",
        "Halo Kak, sudah kami DM detailnya ya.",
        "Mohon maaf atas ketidaknyamanannya, Kak. Kami sudah DM untuk bantu segera.",
    ),
}

# (name, language, body, use_for, brand slug or None for every brand)
REPLY_TEMPLATES: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("Thanks for the love", "en", "Thank you so much, {name}! It means a lot to the team 💛", "praise", None),
    (
        "Moving to DM",
        "en",
        "Hi {name}, sorry to hear this. We've sent you a DM so we can look into it right away.",
        "complaint",
        None,
    ),
    (
        "Order status",
        "en",
        "Hi {name}, could you DM us your order number? We'll check it with the courier today.",
        "delivery",
        None,
    ),
    (
        "Skin reaction (regulated)",
        "en",
        "Hi {name}, we're sorry you're uncomfortable. Please stop using the "
        "product and see a doctor or pharmacist if it continues. We've sent you a DM; our care team will call "
        "you today.",
        "allergy",
        "lumi",
    ),
    ("感谢支持", "zh", "谢谢{name}的支持！团队看到都很开心 💛", "praise", "lumi"),
    ("私信处理", "zh", "{name}您好，很抱歉给您带来不便，我们已私信您，会尽快处理。", "complaint", "lumi"),
    ("Terima kasih", "ms", "Terima kasih {name}! Jumpa lagi di Warisan 😊", "praise", "warisan"),
    (
        "Maaf, kami DM",
        "ms",
        "Hai {name}, maaf atas pengalaman ini. Kami dah DM untuk dapatkan maklumat lanjut.",
        "complaint",
        "warisan",
    ),
    (
        "Waktu operasi",
        "ms",
        "Hai {name}! Kebanyakan cawangan buka 7 pagi - 10 malam. Senarai penuh di pautan bio.",
        "question",
        "warisan",
    ),
    (
        "Terima kasih, Kak",
        "id",
        "Makasih banyak, Kak {name}! Sampai ketemu di Kopi Senja 💛",
        "praise",
        "senja",
    ),
    (
        "Mohon maaf, kami DM",
        "id",
        "Halo Kak {name}, mohon maaf atas ketidaknyamanannya. Kami sudah kirim DM untuk bantu cek pesananmu.",
        "complaint",
        "senja",
    ),
    (
        "Poin Senja Rewards",
        "id",
        "Halo Kak {name}! Poin bisa dicek di menu Profil > Senja Rewards. Kalau ada "
        "selisih, DM kami nomor HP terdaftar ya.",
        "question",
        "senja",
    ),
)

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Jasmine", "Ryan", "Nicole", "Marcus", "Priya", "Ethan", "Hui Min", "Aaron", "Shu Fen", "Kavya"),
    "zh": ("陈丽", "王伟", "林美玲", "张敏", "黄志强", "李佳怡"),
    "ms": ("Aisyah", "Hafiz", "Nurul", "Amir", "Siti", "Faizal", "Izzati", "Syafiq", "Mei Ling", "Ravi"),
    "id": ("Dinda", "Rizky", "Ayu", "Fajar", "Nadia", "Bayu", "Intan", "Dimas", "Putri", "Yoga"),
}

INCIDENT_TITLE = "Allergic reaction complaint about Barrier Repair Cream goes viral"
INCIDENT_SUMMARY = (
    "A customer posted photos of redness after using the Barrier Repair Cream; the post was shared by a "
    "beauty influencer (85k followers) and picked up by a local news site. Complaints and questions spiked "
    "on Instagram and Facebook for three days."
)
INCIDENT_MESSAGES: tuple[str, ...] = (
    "My face turned red and itchy after the Barrier Repair Cream. Photos in my story. What is in this??",
    "Saw the post about the allergic reaction. Is the cream safe or not?",
    "Same thing happened to me last week, stopped using it",
    "Why is nobody from Lumi answering? This is a health issue",
    "Are you going to recall the batch?",
    "用了这个面霜过敏了，请给个说法",
    "I have eczema, should I throw mine away?",
    "Please share the full ingredient list and batch numbers",
    "Unfollowing until you explain",
    "Refund please, I'm not using it after this",
)
INCIDENT_TIMELINE: tuple[tuple[int, TimelineKind, str, str], ...] = (
    # (minutes after opening, kind, author key, body)
    (
        0,
        TimelineKind.NOTE,
        "cm_sg",
        "Customer post with photos of redness, shared by @glowwithjas (85k). "
        "~40 comments in 30 min, mostly worried questions.",
    ),
    (5, TimelineKind.STATUS, "cm_sg", "Severity set to 3 (High): health claim, spreading in SG."),
    (12, TimelineKind.ACTION, "lead", "Brand publishing paused; two scheduled Glow Club posts held."),
    (18, TimelineKind.NOTIFICATION, "lead", "Chain run: client marketing lead, Priya (legal), Daniel."),
    (
        41,
        TimelineKind.STATEMENT,
        "cm_sg",
        "Holding statement posted on Instagram and Facebook: we're sorry, "
        "we've reached out to the customer, our pharmacist is reviewing, update by 6 pm.",
    ),
    (95, TimelineKind.ACTION, "cm_sg", "Customer reached by phone; product and batch collected for testing."),
    (
        240,
        TimelineKind.NOTE,
        "cm_sg",
        "Hourly check: 120 messages in 4 h, 71% negative; themes: safety, ingredients, recall.",
    ),
    (
        600,
        TimelineKind.STATEMENT,
        "lead",
        "Update posted: full ingredient list, patch-test advice, batch "
        "under lab review, refunds for anyone who wants one.",
    ),
    (1440, TimelineKind.NOTE, "cm_sg", "Day 2: volume down 60%; negative share 48%."),
    (
        2880,
        TimelineKind.NOTE,
        "legal",
        "Lab result: batch within specification; no contamination. Reaction "
        "consistent with individual sensitivity to an ingredient.",
    ),
    (
        3000,
        TimelineKind.STATEMENT,
        "lead",
        "Lab result shared with the customer first, then publicly, with "
        "the dermatologist's patch-test advice.",
    ),
    (4320, TimelineKind.STATUS, "cm_sg", "Monitoring: volume back to baseline, negative share 12%."),
    (5700, TimelineKind.STATUS, "lead", "Resolved. Publishing resumed; post-mortem scheduled."),
)
INCIDENT_POSTMORTEM = """What happened
A customer's reaction to the Barrier Repair Cream was shared by an influencer and reached local news. We were
aware within 10 minutes (routing rule on 'allergy' + negative sentiment) and paused publishing at 12 minutes.

What worked
- Holding statement out in 41 minutes, inside the 60-minute target.
- Calling the customer early; she later shared the lab result herself.
- Pausing publishing kept the Glow Club promo posts from going out mid-crisis.

What we change
- Content approval SOP v2: claims checked against the approved claims list, second-person proofread.
- Patch-test advice added to every product launch post for Lumi.
- Reply template 'Skin reaction (regulated)' approved by legal in advance.
"""
