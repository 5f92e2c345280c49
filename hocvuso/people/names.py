"""Name data for the synthetic population: how people of each ethnic group in the province are named.

Kinh names are family name + middle name + given name; the family names are weighted by their frequency
(Nguyễn ≈ 38%, Trần ≈ 11%, Lê ≈ 9.5%, Phạm ≈ 7%, …). Older generations mostly carry "Văn" / "Thị" as
middle names; younger ones more often a chosen middle name. Several highland groups of the province write
names differently:
- Ê Đê: "Y" (men) or "H'" (women) + given name + clan name, clans passed through the mother
  (Niê, Êban, Mlô, Ksơr, Byă, Adrơng…): "Y Bim Niê", "H'Hen Êban".
- M'Nông: men "Điểu …" or "Y … <clan>", women "Thị …" or "H' … <clan>"; matrilineal.
- K'Ho (Cơ Ho) and Mạ: men "K'…", women "Ka …", often after a clan name (Liêng, Cil, Kră, Bon Niêng…);
  K'Ho and Mạ also use "Điểu" for men.
- Chu Ru: clan (Touneh, Ya, Bơ Nahria, Ma Lé…) + given name. Raglai: Chamaléa, Katơr, Pi Năng… + given.
- Cham (former Bình Thuận): Vietnamese-style names with Cham family names (Đàng, Thông, Quảng, Lộ, Bá…).
- Tày, Nùng, Dao, Mông, Hoa, Thái, Mường: Vietnamese-style with their own family names; Mông men often
  have "A" or "Seo" as middle name ("Giàng A Páo", "Vàng Seo Dính").
"""

# (name, weight per 1000) — Kinh family names, after published frequency estimates.
KINH_FAMILY_NAMES: list[tuple[str, int]] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 30),
    ("Huỳnh", 21),
    ("Phan", 45),
    ("Vũ", 20),
    ("Võ", 19),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 6),
    ("Đoàn", 5),
    ("Trương", 6),
    ("Lâm", 4),
    ("Mai", 4),
    ("Lương", 4),
    ("Tạ", 3),
    ("Cao", 4),
    ("Hà", 4),
    ("Tô", 2),
    ("Châu", 2),
    ("Thái", 2),
    ("Lưu", 3),
    ("Kiều", 2),
    ("Quách", 2),
    ("Trịnh", 5),
    ("Văn", 2),
    ("Đào", 4),
    ("Chu", 2),
    ("Tăng", 2),
    ("Triệu", 2),
    ("Khúc", 1),
    ("Lại", 2),
    ("Nghiêm", 1),
]

KINH_MIDDLE_NAMES = {
    "M": ["Đức", "Minh", "Quốc", "Hữu", "Thành", "Công", "Xuân", "Hoàng", "Gia", "Anh", "Tuấn", "Quang",
          "Ngọc", "Trọng", "Thanh", "Bảo", "Đình", "Duy", "Nhật", "Tấn", "Phước", "Trung", "Khánh", "Hải"],
    "F": ["Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Khánh", "Phương", "Minh", "Hồng", "Thùy", "Diệu",
          "Bích", "Hoài", "Tường", "Quỳnh", "Mai", "Lan", "Hải", "Như", "Cẩm", "Xuân", "Gia", "Thảo"],
}  # fmt: skip

KINH_GIVEN_NAMES = {
    "M": ["Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Hải", "Long", "Phúc", "Quang", "Sơn", "Thắng", "Trung",
          "Khoa", "Huy", "Bảo", "Khang", "Đạt", "Hiếu", "Tài", "Lộc", "Phong", "Vinh", "Cường", "Thịnh",
          "Nghĩa", "Toàn", "Thành", "Tú", "Hoàng", "Kiên", "An", "Khôi", "Đăng", "Quân", "Tùng", "Bình",
          "Hưng", "Lâm", "Nhân", "Thanh", "Trí", "Duy", "Hòa", "Tâm", "Phát", "Tín", "Vũ", "Thái", "Lực",
          "Chiến", "Hậu", "Định", "Hiển", "Sang", "Thuận", "Thông", "Quý", "Châu", "Đức", "Mạnh"],
    "F": ["Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Thảo", "Hằng", "Nga", "Hạnh", "Hà", "Huyền",
          "Phương", "Ngọc", "Yến", "Vy", "Nhung", "Thủy", "Tuyết", "Oanh", "Dung", "Hiền", "Loan", "Trinh",
          "Giang", "Quỳnh", "Anh", "Châu", "My", "Nhi", "Hân", "Ngân", "Vân", "Diệp", "Đào", "Thư", "Tâm",
          "An", "Uyên", "Liên", "Lệ", "Thắm", "Xuân", "Nhàn", "Lý", "Hồng", "Duyên", "Thoa", "Trâm", "Khánh",
          "Tiên", "Thùy", "Ánh", "Cúc", "Hậu", "Như", "Phúc", "Bích", "Sương", "Kiều"],
}  # fmt: skip

# Family names by group, for groups written Vietnamese-style.
FAMILY_NAMES_BY_ETHNICITY: dict[int, list[str]] = {
    2: ["Nông", "Hoàng", "Lương", "Hà", "Lục", "Lộc", "Ma", "Đàm", "Bế", "Chu", "Hoàng", "Nông", "Triệu", "Vi"],
    7: ["Hoàng", "Nông", "Lý", "Vi", "Lương", "Chu", "Lục", "Mã", "Triệu", "Hứa", "Lăng", "Dương", "Lành"],
    8: ["Giàng", "Vàng", "Sùng", "Lý", "Thào", "Mùa", "Hầu", "Hờ", "Lầu", "Cháng", "Vừ", "Sình", "Chảo"],
    9: ["Triệu", "Bàn", "Lý", "Đặng", "Chảo", "Phùng", "Tẩn", "Lò", "Bàn", "Triệu"],
    4: ["Lâm", "Trần", "Lý", "Quách", "Tăng", "Hứa", "Mạch", "Diệp", "Lưu", "Châu", "Ông", "Trương", "Hồng"],
    3: ["Lò", "Cầm", "Lường", "Quàng", "Vi", "Lữ", "Hà", "Lục", "Sầm", "Tòng"],
    6: ["Bùi", "Đinh", "Quách", "Hà", "Xa", "Bạch", "Cao", "Đinh", "Bùi"],
    17: ["Đàng", "Thông", "Quảng", "Lộ", "Bá", "Thuận", "Châu", "Kiều", "Lưu", "Đổng", "Thiên", "Phú", "Hán"],
    5: ["Thạch", "Sơn", "Kim", "Danh", "Lâm", "Chau", "Néang"],
    32: ["Điểu", "Thị", "Lê", "Nguyễn", "Đào"],
    22: ["Điểu", "Thị", "Lâm"],
}

MONG_MIDDLE = {"M": ["A", "Seo", "Văn", "Chứ", "Mí"], "F": ["Thị", "Thị", "Thị", "Mỷ"]}
MONG_GIVEN = {
    "M": ["Páo", "Dính", "Chứ", "Sính", "Tủa", "Pó", "Lử", "Sử", "Chả", "Chinh", "Lồng", "Dìa", "Vàng", "Tráng"],
    "F": ["Mỷ", "Máy", "Dợ", "Sua", "Chá", "Xá", "Mai", "Dung", "Pà", "Say", "Chở", "Mẩy", "Chía", "Ly"],
}  # fmt: skip
DAO_GIVEN = {
    "M": ["Ton", "Phin", "Quyên", "Seng", "Vần", "Sơn", "Minh", "Lưu", "Chàn", "Kiêm", "Quẩy", "Phúc"],
    "F": ["Mẩy", "Sinh", "Mai", "Nái", "Dung", "Lan", "Kiều", "Phây", "Slì", "Tòn", "Hoa", "Liên"],
}  # fmt: skip

EDE_CLANS = ["Niê", "Êban", "Mlô", "Ksơr", "Byă", "Adrơng", "Buôn Yă", "Hwing", "Kpă", "Knul", "Mdrang", "Êmô",
             "Ayŭn", "Hmŏk", "Niê Kdăm", "Bkrông", "Ênuôl"]  # fmt: skip
EDE_GIVEN = {
    "M": ["Bim", "Ngông", "Sơn", "Jut", "Khu", "Thuột", "Kông", "Blô", "Lang", "Tlang", "Wơn", "Mơ", "Krông",
          "Nguyên", "Bhiông", "Hen", "Dhăm", "Ju", "Kim", "Tuyn", "Thông", "Kô", "Sinh", "Phum"],
    "F": ["Hen", "Ngơn", "Wen", "Xuân", "Hơ", "Bi", "Mai", "Juel", "Hương", "Yơn", "Lim", "Zawut", "Bla",
          "Nga", "Nhi", "Hiên", "Lê", "Mlan", "Ruah", "Dơ", "Bông", "Ni", "Tuyết", "Yam"],
}  # fmt: skip

MNONG_CLANS = ["Nơ Trang", "Bon Jốc", "Ju", "Liêng", "Mbon", "Kon", "Rtông", "Bing", "Krông", "Êban"]
MNONG_GIVEN = {
    "M": ["Lên", "Rông", "Đang", "Nhiên", "Bloh", "Sơn", "Brơm", "Tuy", "Nâm", "Krưng", "K'Ơi", "Bưm",
          "Ndu", "Thôn", "Nhăm", "Jăn", "Dăk", "Brông"],
    "F": ["Nhiên", "Lia", "Mai", "Bông", "Ngân", "Hoa", "Dơn", "Nham", "Nhung", "Rôn", "Bich", "Lơn", "Xuân",
          "Thuy", "Ben", "Tinh"],
}  # fmt: skip

KHO_CLANS = ["Liêng", "Cil", "Kră", "Bon Niêng", "Đa Cát", "Lơ Mu", "Ro Ong", "Sơ Ra", "Kơ Să", "Dơng",
             "Liêng Jrang", "Bon Đing", "Păng Ting", "Lâm Jăng", "Kon Sơ", "Rơ Ông"]  # fmt: skip
KHO_GIVEN = {
    "M": ["Brớt", "Bình", "Điệp", "Tiêng", "Lim", "Broi", "Sanh", "Đơn", "Brông", "Tin", "Sơ", "Sin",
          "Brơi", "Jụ", "Kơ", "Dũng", "Nhàn", "Tùng", "Ngơ", "Dơ"],
    "F": ["Hồng", "Nhi", "Thủy", "Nhung", "Ly", "Hoa", "Bé", "Sương", "Mơ", "Yến", "Hiền", "Thúy", "Nga",
          "Rin", "Mai", "Điệp", "Dơn", "Nhàn", "Sen", "Bòm"],
}  # fmt: skip

CHURU_CLANS = ["Touneh", "Ya", "Bơ Nahria", "Ma Lé", "Pinăng", "Ktla", "Tơ Prong", "Jơ Lơng", "Sa Ra", "Cil"]
RAGLAI_CLANS = ["Chamaléa", "Katơr", "Pi Năng", "Mang", "Cao", "Bo Bo", "Pinăng", "Ka Tơr", "Mấu", "Pupor"]
SIMPLE_GIVEN = {
    "M": ["Dương", "Hòa", "Tám", "Sáu", "Ngọc", "Thanh", "Long", "Sơn", "Pheo", "Blân", "Hưng", "Tiến",
          "Đông", "Bốn", "Hải", "Châu"],
    "F": ["Hoa", "Bé", "Nhung", "Thảo", "Ngọc", "Lan", "Mai", "Hạnh", "Blang", "Hương", "Dung", "Thủy",
          "Hòa", "Liên", "Đẹp", "Nga"],
}  # fmt: skip

# Groups whose children take the mother's clan name.
MATRILINEAL = frozenset({12, 20, 16, 28, 36, 21, 10})

# Name styles by ethnicity code (see module docstring); every other group is written Kinh-style.
STYLE_BY_ETHNICITY: dict[int, str] = {
    12: "ede",
    10: "ede",
    20: "mnong",
    16: "kho",
    28: "kho",
    36: "clan",
    21: "clan",
    8: "mong",
    9: "dao",
}
CLANS_BY_ETHNICITY: dict[int, list[str]] = {
    12: EDE_CLANS,
    10: ["Rơ Mah", "Siu", "Ksor", "Rơ Châm", "Nay", "Kpă", "Rah Lan", "Puih"],
    20: MNONG_CLANS,
    16: KHO_CLANS,
    28: ["Điểu", "Đa Cát", "Lơ Mu", "Bon Đing", "Ka Să", "Dơng"],
    36: CHURU_CLANS,
    21: RAGLAI_CLANS,
}
