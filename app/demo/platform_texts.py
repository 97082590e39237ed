"""Publish errors as platforms word them (both data sets use them on failed variants), and the short
texts of the synthetic agency's posts and inbox."""

from __future__ import annotations

from app.models.enums import Platform

FAILURES: dict[Platform, str] = {
    Platform.INSTAGRAM: "Instagram Graph API error 36003: The aspect ratio of the image is not supported "
    "(0.50; allowed 0.8-1.91).",
    Platform.FACEBOOK: "Facebook Graph API error (#200): Requires pages_manage_posts permission; the page "
    "token was invalidated after a password change.",
    Platform.TIKTOK: "TikTok Content Posting API: spam_risk_too_many_posts (daily post cap reached for this "
    "account).",
    Platform.X: "X API 403 Forbidden: You are not allowed to create a Tweet with duplicate content.",
    Platform.YOUTUBE: "YouTube Data API 403 quotaExceeded: the request cannot be completed because the "
    "daily quota was exceeded.",
    Platform.LINKEDIN: "LinkedIn API 422: ugcPosts text exceeds 3000 characters.",
    Platform.THREADS: "Threads API error 2207051: media upload timed out after 120 s.",
    Platform.MASTODON: "Mastodon 422 Unprocessable Entity: Validation failed: Text character limit of 500 "
    "exceeded.",
    Platform.BLUESKY: "Bluesky XRPC 400 InvalidRequest: Record/text must not be longer than 300 graphemes.",
    Platform.PINTEREST: "Pinterest API 400: Sorry, this image is too small (minimum 200 x 300 px).",
}


# The synthetic agency: short texts, enough to look like content in tables and search results.
SYN_TOPICS: dict[str, tuple[str, ...]] = {
    "en": (
        "Weekend special",
        "New on the menu",
        "Behind the scenes",
        "Customer favourite",
        "How it's made",
        "Tips for busy mornings",
        "Meet the team",
        "Limited edition",
        "Your questions answered",
        "Store opening",
        "Holiday hours",
        "Flash sale",
    ),
    "zh": (
        "周末特惠",
        "新品上市",
        "幕后花絮",
        "顾客最爱",
        "制作过程",
        "忙碌早晨小贴士",
        "认识我们的团队",
        "限量版",
        "问答时间",
        "新店开业",
    ),
    "ms": (
        "Promosi hujung minggu",
        "Menu baharu",
        "Di sebalik tabir",
        "Kegemaran pelanggan",
        "Cara kami buat",
        "Kenali pasukan kami",
        "Edisi terhad",
        "Soal jawab",
        "Cawangan baharu",
        "Jualan kilat",
    ),
    "id": (
        "Promo akhir pekan",
        "Menu baru",
        "Di balik layar",
        "Favorit pelanggan",
        "Cara kami membuat",
        "Kenalan dengan tim",
        "Edisi terbatas",
        "Tanya jawab",
        "Toko baru buka",
        "Flash sale",
    ),
}
SYN_INBOX: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": ("Love this!", "Great service today", "Best one yet 😍"),
        "neutral": ("What time do you open?", "Is this available online?", "Do you deliver?"),
        "negative": ("Order still not here", "Very disappointed", "Refund please"),
    },
    "zh": {
        "positive": ("太棒了！", "服务很好", "推荐！"),
        "neutral": ("几点开门？", "网上有卖吗？", "可以送货吗？"),
        "negative": ("订单还没到", "很失望", "请退款"),
    },
    "ms": {
        "positive": ("Terbaik!", "Layanan hebat", "Sedap sangat"),
        "neutral": ("Buka pukul berapa?", "Ada jual online?", "Boleh hantar?"),
        "negative": ("Order belum sampai", "Sangat kecewa", "Nak refund"),
    },
    "id": {
        "positive": ("Mantap!", "Pelayanannya ramah", "Enak banget"),
        "neutral": ("Buka jam berapa?", "Bisa beli online?", "Bisa kirim?"),
        "negative": ("Pesanan belum sampai", "Kecewa banget", "Minta refund"),
    },
}
