"""Draw the pictures of the picture questions in curricula/ (`type: image`) as PNG files.

The pictures are mock-ups of a phone screen (a message, a bank screen, a video call…) drawn from the text below,
so a course folder holds no picture taken from elsewhere. Each is written to
curricula/<course>/media/questions/<question id>.png; questions.yaml refers to it with `image:` and describes it
with `image_alt`. Run after changing a text here: `uv run python scripts/draw_question_pictures.py`.
The font is Debian's DejaVu Sans (fonts-dejavu-core), which has every Vietnamese letter.
"""

import sys
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent / "curricula"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
WIDTH = 480
COLOURS = {"zalo": "#0068ff", "sms": "#2e7d32", "bank": "#00695c", "mail": "#5d4037", "call": "#263238",
           "post": "#1877f2", "ai": "#6a1b9a", "gov": "#b71c1c", "vssid": "#1565c0", "shop": "#0084ff",
           "trace": "#33691e", "note": "#455a64"}  # fmt: skip

# question id → (course, style, top bar, sender line, body, extra lines, button)
PICTURES: dict[str, tuple[str, str, str, str, str, list[str], str]] = {
    "cbc-012": ("can-bo-cong-chuc", "gov", "Cổng Dịch vụ công — Tra cứu hồ sơ", "Mã hồ sơ: H41.xx-251103-0012",
                "Thủ tục: Đăng ký khai sinh", ["Trạng thái: Yêu cầu bổ sung hồ sơ",
                "Ghi chú: Ảnh giấy chứng sinh bị mờ, đề nghị chụp lại rõ 4 góc", "Hạn bổ sung: 06/11"], ""),
    "cbc-019": ("can-bo-cong-chuc", "mail", "Hộp thư đến", "Từ: Chu tich UBND <chutich.ubnd.lamdong@gmaill.com>",
                "KHẨN: Văn bản mật cần xử lý trước 17h\n\nĐồng chí đăng nhập tại liên kết bên dưới để nhận văn bản "
                "mật, không chuyển tiếp.", ["Đính kèm: VanBanMat.zip"], ""),
    "cbc-026": ("can-bo-cong-chuc", "zalo", "Zalo — Thôn 3 - Bà con (412 thành viên)", "Cán bộ xã",
                "Bà con kiểm tra danh sách, có họ tên, số định danh, số điện thoại, hoàn cảnh từng hộ nhé.",
                ["Tệp: DS_ho_ngheo_2025.xlsx"], ""),
    "cds-010": ("cong-dan-so", "zalo", "Zalo", "Cong an phuong - Ho tro VNeID",
                "Tài khoản định danh của anh/chị chưa đồng bộ mức 2, sẽ bị khóa sau 24 giờ. Tải ứng dụng cập nhật "
                "tại: vneid-capnhat.top/app.apk", [], ""),
    "cds-018": ("cong-dan-so", "bank", "Ngân hàng — Xác nhận chuyển khoản", "Người nhận: NGUYEN VAN TUNG",
                "Số tài khoản: 0987xxxx21\nNgân hàng khác", ["Số tiền: 65.000 đ"], "Xác nhận"),
    "cds-029": ("cong-dan-so", "sms", "Tin nhắn", "0868xxxxxx",
                "[Cuc Thue] Ban duoc hoan thue TNCN 3.250.000d. Vui long cap nhat thong tin truoc 17h hom nay tai: "
                "hoanthue-gdt.cc/nhan", [], ""),
    "cds-045": ("cong-dan-so", "ai", "Trợ lý AI", "Bạn: Làm VNeID mức 2 mất phí bao nhiêu?",
                "Theo Thông tư 99/2025, phí làm VNeID mức 2 là 50.000 đồng, nộp qua số tài khoản 1903xxxx của Bộ "
                "Công an.", [], ""),
    "hss-005": ("hoc-sinh-sinh-vien", "post", "Facebook", "Tin Nóng 24h · trang tạo 2 tuần trước",
                "KHẨN: Toàn bộ học sinh tỉnh nghỉ học 1 tuần từ mai!!! Chia sẻ ngay",
                ["[Ảnh: một con đường ngập nước]", "Không ghi nguồn · 12.000 lượt chia sẻ"], ""),
    "hss-013": ("hoc-sinh-sinh-vien", "call", "Cuộc gọi video — phòng «Bo Cong An - Dieu tra»",
                "[Người mặc trang phục công an giơ tờ «LỆNH BẮT» có tên bạn]",
                "Em liên quan đường dây rửa tiền. Không được tắt máy, không được nói với gia đình. Chuẩn bị đến "
                "khách sạn để phối hợp điều tra.", [], ""),
    "hss-034": ("hoc-sinh-sinh-vien", "ai", "Trợ lý AI",
                "Bạn: Cho em một trích dẫn về vai trò của AI trong giáo dục",
                "Theo GS. Trần Văn B, Đại học X, trong sách 'Giáo dục số 2030' (NXB Y, 2021, tr. 45): 'AI sẽ thay "
                "thế 80% giáo viên vào năm 2030'.", [], ""),
    "nct-011": ("nguoi-cao-tuoi", "sms", "Tin nhắn", "VCB",
                "Ma OTP cua Quy khach la 483920. Tuyet doi KHONG cung cap ma nay cho bat ky ai.", [], ""),
    "nct-026": ("nguoi-cao-tuoi", "bank", "Ngân hàng — Chuyển tiền", "Chuyển tiền đến: TRAN VAN HUNG",
                "Số tiền: 30.000 đ", ["[Bên cạnh: sạp rau có biển «Rau sạch chị Lan»]"], "Xác nhận"),
    "nct-041": ("nguoi-cao-tuoi", "call", "Cuộc gọi video Zalo", "Minh Tuấn (số mới)",
                "Ông ơi cháu bị giữ ở đồn, chuyển gấp 20 triệu vào tài khoản anh cán bộ, đừng nói với bố mẹ cháu nhé.",
                ["[Khuôn mặt cháu trai hơi mờ]"], ""),
    "nld-008": ("nguoi-lao-dong", "sms", "Tin nhắn", "PHONG NHAN SU",
                "Luong thang 11 se bi giu neu khong cap nhat tai khoan truoc 20h hom nay. Dang nhap ngan hang tai: "
                "luong-congty-vn.xyz de xac nhan.", [], ""),
    "nld-023": ("nguoi-lao-dong", "vssid", "VssID — Quá trình tham gia BHXH", "Công ty TNHH May ABC",
                "01/2025–06/2025: Đã đóng", ["07/2025–09/2025: Nợ đóng", "10/2025 trở đi: chưa có dữ liệu"], ""),
    "nld-036": ("nguoi-lao-dong", "zalo", "Zalo", "Tuyển dụng KCN - Chị Hằng (tài khoản cá nhân)",
                "Em gửi chị ảnh 2 mặt căn cước, ảnh khuôn mặt cầm căn cước và số tài khoản ngân hàng để chị làm hồ "
                "sơ nhận việc luôn nhé, không cần lên công ty.", [], ""),
    "tt4-007": ("tieu-thuong-4t", "bank", "08:12 — Điện thoại của khách", "Chuyển khoản thành công",
                "1.250.000 đ\nNgười nhận: NGUYEN THI LAN", ["[Đồng hồ ở quầy: 15:40]"], ""),
    "tt4-020": ("tieu-thuong-4t", "shop", "Messenger", "Shopee Hỗ Trợ Người Bán VN",
                "Gian hàng của bạn vi phạm chính sách, sẽ bị khóa sau 2 giờ. Vui lòng ký quỹ 2.000.000đ vào STK "
                "0123xxxx - TRAN VAN NAM để mở khóa, hoặc đăng nhập tại shopee-nguoiban-vn.com.", [], ""),
    "tt4-037": ("tieu-thuong-4t", "trace", "Truy xuất nguồn gốc", "Sản phẩm: Sầu riêng Ri6",
                "Cơ sở: HTX Xanh\nNgày thu hoạch: 02/08/2024\nPhun thuốc lần cuối: (để trống)",
                ["[Lô hàng của bạn thu hoạch ngày 28/10/2025]"], ""),
    "tt4-039": ("tieu-thuong-4t", "note", "Đoạn văn AI viết", "Mô tả sản phẩm",
                "Cà phê Robusta rang mộc vườn nhà Lâm Đồng, gói 500g, giá 150.000đ. Sản phẩm hữu cơ 100%, đạt chuẩn "
                "xuất khẩu châu Âu, giúp giảm cân và ổn định đường huyết. Giao trong tỉnh 1–2 ngày.", [], ""),
}  # fmt: skip


def _lines(text: str, width: int) -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        out.extend(textwrap.wrap(paragraph, width) or [""])
    return out


def draw(style: str, bar: str, sender: str, body: str, extra: list[str], button: str) -> Image.Image:
    """One phone-screen picture: a coloured top bar, the sender, the body in a bubble, extra lines, a button."""
    font, bold, small = ImageFont.truetype(FONT, 19), ImageFont.truetype(BOLD, 19), ImageFont.truetype(FONT, 16)
    colour = COLOURS[style]
    body_lines = _lines(body, 38)
    sender_lines = _lines(sender, 42)
    extra_lines = [line for item in extra for line in _lines(item, 46)]
    height = 70 + 26 * len(sender_lines) + 28 * len(body_lines) + 40 + 24 * len(extra_lines) + (64 if button else 0)
    image = Image.new("RGB", (WIDTH, height + 20), "#eceff1")
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, WIDTH, 52), fill=colour)
    pen.text((16, 15), bar, font=bold, fill="white")
    y = 66
    for line in sender_lines:
        pen.text((16, y), line, font=bold, fill="#212121")
        y += 26
    bubble_top = y + 6
    bubble_bottom = bubble_top + 28 * len(body_lines) + 20
    pen.rounded_rectangle((12, bubble_top, WIDTH - 12, bubble_bottom), radius=14, fill="white", outline="#b0bec5")
    y = bubble_top + 10
    for line in body_lines:
        pen.text((26, y), line, font=font, fill="#111111")
        y += 28
    y = bubble_bottom + 10
    for line in extra_lines:
        pen.text((16, y), line, font=small, fill="#37474f")
        y += 24
    if button:
        pen.rounded_rectangle((WIDTH // 2 - 90, y + 10, WIDTH // 2 + 90, y + 54), radius=10, fill="#2e7d32")
        pen.text((WIDTH // 2, y + 32), button, font=bold, fill="white", anchor="mm")
    return image


def main() -> int:
    for key, (course, style, bar, sender, body, extra, button) in PICTURES.items():
        folder = ROOT / course / "media" / "questions"
        folder.mkdir(parents=True, exist_ok=True)
        image = draw(style, bar, sender, body, extra, button).quantize(colors=32)
        image.save(folder / f"{key}.png", optimize=True)
    print(f"{len(PICTURES)} pictures written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
