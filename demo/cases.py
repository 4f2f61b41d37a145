"""About 300 demo cases in every status across all 29 streets, made by the same services the API
calls, acting as the demo users `demo.users` creates before (`manage.py seed_demo`)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, Street
from agencies.seed import DISTRICT_CODE, STREET_KINDS
from dispatch import services
from dispatch.models import Case, CaseStatus, Category, Priority, Satisfaction, Source, Task, TaskRole, TaskStatus
from grids.models import GridCell
from haidian.calendar import SHANGHAI, TimeUnit
from haidian.workflow import PUBLIC

K = Agency.Kind


DEMO_PREFIX = "DEMO-"
DEMO_CASES = 300

# category name → (title, description) pairs a resident, a caller or a grid worker would write.
DEMO_REPORTS: dict[str, list[tuple[str, str]]] = {
    "占道经营": [
        ("早市菜摊占道经营", "每天早上六点到九点，小区东门外人行道上有十几个菜摊，占满便道，行人只能走机动车道。"),
        ("烧烤摊夜间占道经营", "路边烧烤摊每晚占用人行道摆放桌椅，经营到凌晨，油烟和垃圾很多。"),
    ],
    "违法建设": [
        ("楼顶私搭彩钢房", "顶层住户在楼顶私自搭建彩钢板房，面积约二十平方米，担心影响楼体安全。"),
        ("一层住户私扩院落", "一层住户用砖墙围占楼前公共绿地扩建院落，正在搭建阳光房。"),
    ],
    "暴露垃圾": [
        ("路边堆放大量垃圾", "绿化带旁堆放大量生活垃圾和装修垃圾，已有异味，几天没人清运。"),
        ("垃圾桶满溢无人清理", "小区门口垃圾桶已经满溢两天，垃圾散落一地，招来很多蚊蝇。"),
    ],
    "路灯损坏": [
        ("路灯夜间不亮", "这段路连续三盏路灯晚上不亮，行人和骑车的人都看不清路。"),
        ("路灯杆被撞倾斜", "路灯杆被车辆撞击后倾斜，灯罩脱落，有倒伏危险。"),
    ],
    "井盖缺失": [
        ("人行道井盖丢失", "人行道上一个污水井盖丢失，只用树枝挡着，晚上很容易有人掉下去。"),
        ("雨水井盖破损下陷", "机动车道上的雨水井盖破碎下陷，车辆经过颠簸严重。"),
    ],
    "道路破损": [
        ("路面坑洼", "路面有多处坑洼，最大的直径约一米，雨后积水，电动车经过容易摔倒。"),
        ("人行道步砖松动", "人行道步砖大面积松动翘起，老人走路容易绊倒。"),
    ],
    "乱贴乱画": [
        ("楼道墙面被喷涂号码", "单元楼道墙面被喷涂了大量开锁、疏通管道的电话号码。"),
        ("变电箱贴满广告", "路边变电箱和电线杆上贴满各类广告，影响市容。"),
    ],
    "非法小广告": [
        ("地铁口散发小广告", "有人在地铁站口向行人散发办证、贷款小广告，地面散落大量纸片。"),
        ("车窗被夹塞小卡片", "夜间有人在路边停放车辆的车窗上夹塞小卡片。"),
    ],
    "违章停车": [
        ("机动车占用人行道停放", "多辆机动车长期停在人行道上，行人和轮椅过不去。"),
        ("车辆堵住小区出入口", "一辆车停在小区出入口已经半天，居民车辆进出不了。"),
    ],
    "共享单车乱停": [
        ("地铁口共享单车堆积", "地铁口共享单车大量堆积，占满人行道和盲道。"),
        ("共享单车成片倒伏", "路边几十辆共享单车倒在地上，没人整理。"),
    ],
    "渣土遗撒": [
        ("渣土车夜间遗撒", "夜里渣土车经过后路面遗撒大量泥土，白天尘土飞扬。"),
        ("工地车辆带泥上路", "施工工地出口车辆带泥上路，路面脏污严重。"),
    ],
    "下水道堵塞": [
        ("楼前下水道堵塞返味", "楼前下水道堵塞，污水外溢，气味很大。"),
        ("化粪池满溢", "小区化粪池满溢，污水流到路面上。"),
    ],
    "积水": [
        ("下凹桥积水", "下雨后桥下积水约三十厘米，已有车辆熄火。"),
        ("小区门口积水", "小区门口低洼处积水排不出去，居民出行困难。"),
    ],
    "绿地毁损": [
        ("公共绿地被开垦种菜", "有居民毁坏小区公共绿地，开垦种菜、搭架子。"),
        ("绿化带被车辆碾压", "绿化带被车辆碾压，草坪和灌木损毁严重。"),
    ],
    "树木倒伏": [
        ("大风刮倒行道树", "大风把路边一棵杨树刮倒，压在人行道上，挡住通行。"),
        ("断枝挂在电线上", "一棵槐树的粗枝断裂挂在电线上，随时可能掉下来。"),
    ],
    "停水停电": [
        ("楼内突然停水", "整栋楼从早上开始停水，没有接到任何通知。"),
        ("小区部分楼停电", "小区三栋楼停电已经四个小时，电梯里有人被困过。"),
    ],
    "噪声扰民": [
        ("广场舞音响声音过大", "每晚七点到十点，广场上跳舞的音响声音很大，影响居民休息。"),
        ("楼上住户深夜噪声", "楼上住户每天深夜拖动家具、大声喧哗，多次沟通没有效果。"),
    ],
    "犬只扰民": [
        ("犬只夜间吠叫", "邻居家的大型犬每天夜里叫个不停，严重影响休息。"),
        ("遛狗不拴绳", "小区里有人遛大型犬不拴绳，已经吓到孩子。"),
    ],
    "施工扰民": [
        ("工地夜间施工", "附近工地每晚十点以后还在施工，机械噪声很大。"),
        ("住户周末装修扰民", "楼内有住户周末全天装修，电钻声不断。"),
    ],
    "油烟扰民": [
        ("餐馆油烟直排", "楼下餐馆油烟没有经过净化直接排放，油烟飘进居民家里。"),
        ("烧烤店排烟口对着窗户", "烧烤店排烟口正对居民窗户，晚上不能开窗。"),
    ],
    "供暖问题": [
        ("暖气不热", "家里暖气只有十四度左右，老人和孩子受不了。"),
        ("楼道暖气管漏水", "楼道内暖气管道漏水，地面已经结冰。"),
    ],
    "物业服务投诉": [
        ("物业长期不打扫楼道", "物业公司一个多月没有打扫楼道，垃圾堆积。"),
    ],
    "群租房": [
        ("疑似群租房", "楼内一套两居室住了十几个人，进出人员复杂，存在安全隐患。"),
        ("房屋打隔断出租", "房东把三居室打成隔断出租给二十多人，楼道里堆满杂物。"),
    ],
    "流动人口登记": [
        ("新入住人员未登记", "小区新住进一批务工人员，还没有到社区办理居住登记。"),
    ],
    "出租房屋登记": [
        ("出租房屋未登记", "这户房屋已经出租，房东没有办理出租登记。"),
    ],
    "地下室违规住人": [
        ("地下室有人居住", "楼下地下室有人住，通风和消防条件都很差。"),
    ],
    "邻里纠纷": [
        ("楼上漏水引发纠纷", "楼上卫生间漏水，楼下天花板发霉，两家多次争吵。"),
        ("楼道堆物引发口角", "邻居在公共楼道堆放杂物，双方为此发生口角。"),
    ],
    "家庭纠纷": [
        ("赡养老人家庭纠纷", "子女之间因为赡养老人的问题发生矛盾，老人请求调解。"),
    ],
    "物业纠纷": [
        ("业主与物业费用纠纷", "多户业主因为物业服务差拒交物业费，物业停止了部分服务。"),
    ],
    "劳资纠纷": [
        ("装修工人讨要欠薪", "十几名装修工人反映被拖欠工资三个月，聚集在项目部门口。"),
        ("餐馆拖欠员工工资", "餐馆停业后拖欠员工两个月工资，老板联系不上。"),
    ],
    "消费纠纷": [
        ("健身房关门无法退卡", "小区附近健身房突然关门，几十名会员的预付卡无法退款。"),
    ],
    "治安隐患": [
        ("小区门禁损坏", "小区门禁系统坏了一个星期，外来人员随意进出。"),
        ("楼道监控损坏", "单元楼道的监控探头损坏，最近楼里丢过两辆电动车。"),
    ],
    "可疑人员": [
        ("可疑人员在车棚徘徊", "连续几天夜里有陌生人在自行车棚附近徘徊，查看车锁。"),
    ],
    "无照经营": [
        ("无照经营小吃店", "街边新开一家小吃店，没有悬挂营业执照。"),
        ("居民楼内无照美甲店", "居民楼内有人开美甲店，没有营业执照，顾客进出频繁。"),
    ],
    "黑车揽客": [
        ("地铁口黑车揽客", "地铁站出口有多辆黑车长期揽客，拉扯乘客。"),
    ],
    "社区矫正人员走访": [
        ("社区矫正人员月度走访", "辖区社区矫正人员本月需要走访核实居住和工作情况。"),
    ],
    "刑满释放人员帮教": [
        ("刑满释放人员就业帮扶", "辖区一名刑满释放人员回到社区，需要落实帮教和就业帮扶。"),
    ],
    "消防通道堵塞": [
        ("私家车堵塞消防通道", "小区消防通道长期停放私家车，消防车无法通行。"),
        ("楼道杂物堵塞安全出口", "楼道内堆放纸箱和旧家具，堵住了安全出口。"),
    ],
    "安全生产隐患": [
        ("小作坊安全隐患", "居民区里一家小作坊使用液化气罐，电线私拉乱接。"),
    ],
    "燃气隐患": [
        ("楼道内有燃气味", "楼道内有明显的燃气味，怀疑管道泄漏。"),
    ],
    "电动车违规充电": [
        ("楼道内飞线充电", "有居民从楼上拉电线下来，在楼道里给电动自行车充电。"),
        ("电动车推进电梯入户", "有住户每天把电动车推进电梯带回家充电。"),
    ],
    "餐饮卫生": [
        ("餐馆后厨卫生脏乱", "餐馆后厨卫生条件差，有老鼠出没，吃完饭后腹泻。"),
    ],
    "二次供水卫生": [
        ("自来水发黄有异味", "家里自来水发黄，有铁锈味，怀疑楼顶水箱没有清洗。"),
    ],
    "养老服务需求": [
        ("独居老人需要助餐", "辖区一位八十多岁的独居老人行动不便，希望提供送餐上门服务。"),
    ],
    "低保救助咨询": [
        ("咨询低保申请条件", "居民家中因病致贫，咨询申请最低生活保障的条件和材料。"),
    ],
    "就业服务咨询": [
        ("失业人员咨询就业岗位", "失业人员咨询社区就业岗位和职业技能培训。"),
    ],
    "残疾人服务": [
        ("残疾人申请无障碍改造", "肢体残疾居民希望对家里卫生间做无障碍改造。"),
    ],
    "门牌缺失": [
        ("楼门牌丢失", "这栋楼的楼门牌丢了，快递和急救车都找不到。"),
    ],
    "统计调查配合": [
        ("企业不配合统计调查", "辖区一家企业拒绝填报统计调查表。"),
    ],
    "志愿服务组织": [
        ("组织居民志愿清扫", "社区计划周末组织居民开展环境清扫志愿活动，需要协调工具和保险。"),
    ],
}

# Problems that happen in a home or a residential building get a building address.
HOME_PROBLEMS = {
    "违法建设", "下水道堵塞", "噪声扰民", "犬只扰民", "供暖问题", "物业服务投诉", "群租房", "流动人口登记",
    "出租房屋登记", "地下室违规住人", "邻里纠纷", "家庭纠纷", "物业纠纷", "治安隐患", "消防通道堵塞",
    "燃气隐患", "电动车违规充电", "二次供水卫生", "养老服务需求", "低保救助咨询", "就业服务咨询", "残疾人服务",
    "门牌缺失", "停水停电", "社区矫正人员走访", "刑满释放人员帮教", "志愿服务组织",
}

# What a grid worker does when they fix a problem on the spot (微循环).
ON_SITE_NOTES = {
    "暴露垃圾": "网格员联系保洁员现场清运，已清理干净。",
    "乱贴乱画": "网格员现场清除小广告和涂写号码。",
    "非法小广告": "网格员劝离散发人员，清理地面纸片。",
    "共享单车乱停": "网格员联系运维人员现场整理、清运多余车辆。",
    "占道经营": "网格员现场劝导摊贩撤离，便道恢复通行。",
    "消防通道堵塞": "网格员联系车主挪车，清理堆物，通道已畅通。",
    "邻里纠纷": "网格员上门协调，双方达成一致。",
    "违章停车": "网格员联系车主将车辆挪走。",
    "犬只扰民": "网格员上门提醒犬主文明养犬。",
}

# What the agency or department reports back (处理反馈).
RESULTS = {
    K.URBAN_MANAGEMENT_SQUAD: "城管分队执法队员到场，责令当事人立即整改，现场已清理完毕，将加强巡查。",
    K.POLICE_STATION: "派出所民警到场处置，已对当事人批评教育，问题已解决。",
    K.MARKET_OFFICE: "工商所执法人员到场检查，已责令停止违法经营并立案调查。",
    K.TRAFFIC_BRIGADE: "交通大队民警到场，已对违法车辆处罚并拖移，道路恢复畅通。",
    K.HOUSING_OFFICE: "房管所会同社区入户核查，已责令房东限期整改。",
    K.JUSTICE_OFFICE: "司法所调解员组织双方调解，已达成调解协议。",
    K.HEALTH_INSPECTION: "卫生监督员现场检查，已责令限期整改，复查合格。",
    K.STATISTICS_OFFICE: "统计所已上门指导，对方已完成填报。",
    K.SOCIAL_SECURITY_OFFICE: "社保所工作人员已联系当事人，讲解政策并协助办理，已办结。",
    K.CITY_SUPERVISION: "城市管理监督员现场核实，已通知权属单位维修，现已修复。",
    K.SANITATION_STATION: "环卫所已派作业车辆清运，现场清理干净，将增加清运频次。",
    K.GREENING_STATION: "园林绿化所已派人到场处置，倒伏树木已清理，受损绿地补植完成。",
    K.FIRE_STATION: "消防救援站到场检查，已督促清理堆物、消除隐患，通道已畅通。",
}
DEPARTMENT_RESULT = "{department}已派人到现场处置，问题已解决，处置前后照片已上传。"

REJECT_REASONS = [
    "不属于网格化管理受理范围，已告知反映人向相关单位咨询。",
    "反映人来电撤回诉求。",
    "现场核实无此问题。",
    "属小区业主内部事务，已引导通过业主委员会协商解决。",
]
ESCALATE_REASONS = [
    "问题涉及多个部门，街道协调未果，提请区级派遣。",
    "需区级专业部门处置，超出街道处置能力。",
    "处置单位逾期未完成，提请区指挥中心协调。",
]
RETURN_REASON = "该问题不属于本单位职责，请重新派遣。"
EXTENSION_REASON = "需协调产权单位共同处置，申请延期三个工作日。"
VERIFY_PASSED_NOTES = ["现场核查，问题已解决。", "回访核实，处置到位。"]
VERIFY_FAILED_NOTE = "现场核查问题仍然存在，退回重办。"
RATING_COMMENTS = {
    Satisfaction.SATISFIED: ["处理很及时，感谢！", "问题解决了，很满意。", ""],
    Satisfaction.BASICALLY_SATISFIED: ["解决了，但时间有点长。", ""],
    Satisfaction.DISSATISFIED: ["过几天又出现了，希望彻底解决。"],
}

ROADS = [
    "学院路", "成府路", "中关村大街", "知春路", "北四环西路", "海淀大街", "苏州街", "万泉河路", "紫竹院路",
    "车公庄西路", "阜成路", "田村路", "永定路", "北洼路", "花园北路", "北太平庄路", "清河中街", "上地信息路",
    "西北旺东路", "温泉路", "双清路", "志新路", "大钟寺东路", "增光路", "西四环北路", "远大路", "蓝靛厂南路",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"

# Scenario → the steps after the report. Each step waits a random time in its (min, max) minutes.
STEP_MINUTES = {
    "file": (10, 180), "reject": (10, 240), "reject_duplicate": (10, 120), "resolve_on_site": (15, 240),
    "dispatch": (5, 90), "dispatch_wrong": (5, 90), "return": (30, 600),
    "approve_return": (10, 120), "accept": (10, 300),
    "request_extension": (60, 600), "approve_extension": (10, 240), "respond": (120, 2880),
    "verify": (60, 1440), "verify_failed": (60, 1440), "rate": (60, 2880), "escalate": (30, 1440),
    "district_dispatch": (10, 240),
}
_HANDLE = ["file", "dispatch", "accept", "respond"]
SCENARIOS: dict[str, tuple[int, list[str]]] = {
    # name: (how many of the 300, steps)
    "reported": (28, []),
    "rejected": (14, ["reject"]),
    "duplicate": (6, ["reject_duplicate"]),
    "resolved_on_site": (40, ["resolve_on_site"]),
    "filed": (20, ["file"]),
    "dispatched": (22, ["file", "dispatch"]),
    "accepted": (16, ["file", "dispatch", "accept"]),
    "extended": (6, ["file", "dispatch", "accept", "request_extension", "approve_extension"]),
    "responded": (20, _HANDLE),
    "closed": (66, [*_HANDLE, "verify", "rate"]),
    "reworked": (8, [*_HANDLE, "verify_failed"]),
    "reworked_closed": (10, [*_HANDLE, "verify_failed", "respond", "verify", "rate"]),
    "returned": (6, ["file", "dispatch_wrong", "return", "approve_return", "dispatch", "accept"]),
    "escalated": (6, ["file", "escalate"]),
    "district_dispatched": (8, ["file", "escalate", "district_dispatch", "accept"]),
    "district_responded": (6, ["file", "dispatch", "escalate", "district_dispatch", "accept", "respond"]),
    "district_closed": (18, ["file", "escalate", "district_dispatch", "accept", "respond", "verify", "rate"]),
}
# Open cases are recent; closed ones spread over the month.
RECENT_DAYS = {"reported": 3, "filed": 5, "dispatched": 8, "accepted": 10, "escalated": 6}


class _DemoCast:
    """The demo users by username, fetched once each; the agency of each kind serving each street."""

    def __init__(self) -> None:
        self._users: dict[str, object] = {}
        self._units: dict[tuple[int, str], str] | None = None

    def unit(self, street: Street, kind: str) -> str:
        """The code of the agency of `kind` serving `street` (its own, or the one of its service area)."""
        if self._units is None:
            self._units = {}
            for street_id, kind_, code in (Agency.streets.through.objects.order_by("agency__code")
                                           .values_list("street_id", "agency__kind", "agency__code")):
                self._units.setdefault((street_id, kind_), code)
        return self._units[(street.pk, kind)]

    def __call__(self, username: str):
        if username not in self._users:
            try:
                self._users[username] = get_user_model().objects.get(username=username)
            except get_user_model().DoesNotExist:
                raise RuntimeError(
                    f"demo user {username!r} is missing: seed_demo creates the demo users first"
                ) from None
        return self._users[username]


def _demo_plan(rng: random.Random) -> list[str]:
    plan = [name for name, (count, _steps) in SCENARIOS.items() for _ in range(count)]
    rng.shuffle(plan)
    return plan


def phone_number(rng: random.Random) -> str:
    """A made-up mobile number."""
    return "1" + rng.choice(["39", "38", "86", "58", "36", "51", "88", "33"]) + f"{rng.randrange(10**8):08d}"


def _start_time(clock: random.Random, now: dt.datetime, scenario: str, steps: list[str]) -> dt.datetime:
    """A daytime moment in the last days, early enough for every step of the scenario to lie before `now`."""
    budget = dt.timedelta(minutes=sum(STEP_MINUTES[step][1] for step in steps))
    days = RECENT_DAYS.get(scenario, 30)
    today = timezone.localtime(now).date()
    for _attempt in range(20):
        day = today - dt.timedelta(days=clock.randrange(days))
        start = dt.datetime.combine(day, dt.time(clock.randint(7, 21), clock.randrange(60)), tzinfo=SHANGHAI)
        if start + budget <= now:
            return start
    return now - budget - dt.timedelta(minutes=clock.randint(5, 600))


class _DemoCase:
    """Walks one demo case through the steps of its scenario."""

    def __init__(self, *, cast: _DemoCast, rng: random.Random, clock: random.Random, at: dt.datetime,
                 category: Category, earlier: Case | None) -> None:
        self.cast, self.rng, self.clock, self.at = cast, rng, clock, at
        self.category, self.earlier = category, earlier
        self.case: Case | None = None

    def tick(self, step: str) -> dt.datetime:
        low, high = STEP_MINUTES[step]
        self.at += dt.timedelta(minutes=self.clock.randint(low, high))
        return self.at

    @property
    def staff(self):
        return self.cast(f"{self.case.street.code}-staff")

    @property
    def grid_worker(self):
        return self.cast(f"{self.case.street.code}-grid")

    def lead_task(self) -> Task:
        return (Task.objects.select_related("agency", "department")
                .get(case=self.case, role=TaskRole.LEAD, status__in=TaskStatus.active_values()))

    def handler(self, task: Task):
        return self.cast(f"{task.agency.code}-head" if task.agency_id else f"{task.department.code}-admin")

    def report(self, *, number: int, scenario: str, grid: tuple, street: Street) -> None:
        rng = self.rng
        title, description = rng.choice(DEMO_REPORTS[self.category.name])
        _grid_id, lat, lng, community = grid
        if self.category.name in HOME_PROBLEMS:
            address = f"{community}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
        else:
            address = f"{rng.choice(ROADS)}{rng.randint(1, 300)}号附近"
        if scenario == "resolved_on_site":
            source = Source.GRID_PATROL
        else:
            source = rng.choices([Source.GRID_PATROL, Source.HOTLINE_12345, Source.RESIDENT, Source.STAFF],
                                 weights=[35, 30, 15, 20])[0]
        by_the_public = source in (Source.HOTLINE_12345, Source.RESIDENT)
        actor = {Source.GRID_PATROL: f"{street.code}-grid", Source.STAFF: f"{street.code}-staff"}.get(source)
        self.case = services.case_create(
            actor=self.cast(actor) if actor else PUBLIC, title=title, description=description, lat=lat, lng=lng,
            address=address, source=source, external_id=f"{DEMO_PREFIX}{number:04d}",
            reporter_name=f"{rng.choice(SURNAMES)}{rng.choice(['先生', '女士'])}" if by_the_public else "",
            reporter_phone=phone_number(rng) if by_the_public else "",
            # Grid workers and staff pick the category when they report; the public does not.
            category=None if by_the_public else self.category, now=self.at,
        )

    def step(self, step: str) -> None:
        getattr(self, f"_{step}")(self.tick(step))

    def _file(self, at):
        urgent = self.category.time_limit_unit == TimeUnit.CALENDAR_HOURS and self.rng.random() < 0.5
        self.case = services.case_file(case=self.case, actor=self.staff, category=self.category,
                                       priority=Priority.URGENT if urgent else Priority.NORMAL, now=at)

    def _reject(self, at):
        self.case = services.case_reject(case=self.case, actor=self.staff, now=at,
                                         reason=self.rng.choice(REJECT_REASONS))

    def _reject_duplicate(self, at):
        if self.earlier is None:
            return self._reject(at)
        self.case = services.case_reject(case=self.case, actor=self.staff, duplicate_of=self.earlier, now=at,
                                         reason=f"与{self.earlier.number}反映同一问题，合并办理。")

    def _resolve_on_site(self, at):
        self.case = services.case_resolve_on_site(case=self.case, actor=self.grid_worker, now=at,
                                                  note=ON_SITE_NOTES.get(self.category.name, "网格员现场处置完毕。"))

    def _dispatch(self, at, kind: str | None = None):
        kind = kind or self.category.default_agency_kind
        street = self.case.street
        cooperating = []
        partner = {K.HOUSING_OFFICE: K.POLICE_STATION, K.MARKET_OFFICE: K.URBAN_MANAGEMENT_SQUAD,
                   K.URBAN_MANAGEMENT_SQUAD: K.MARKET_OFFICE, K.HEALTH_INSPECTION: K.MARKET_OFFICE,
                   K.JUSTICE_OFFICE: K.POLICE_STATION, K.SANITATION_STATION: K.URBAN_MANAGEMENT_SQUAD,
                   K.FIRE_STATION: K.POLICE_STATION}.get(kind)
        if partner and self.rng.random() < 0.3:
            cooperating = [self.cast.unit(street, partner)]
        self.case = services.case_dispatch(case=self.case, actor=self.staff, lead=self.cast.unit(street, kind),
                                           cooperating=cooperating, now=at)

    def _dispatch_wrong(self, at):
        wrong = sorted(kind for kind in STREET_KINDS if kind != self.category.default_agency_kind)
        self._dispatch(at, kind=self.rng.choice(wrong))

    def _return(self, at):
        task = self.lead_task()
        services.task_return(task=task, actor=self.handler(task), reason=RETURN_REASON, now=at)

    def _approve_return(self, at):
        # 退单审核: the street agrees the task was misdirected and takes the case back to dispatch again.
        services.task_approve_return(task=self.lead_task(), actor=self.staff, note="同意退单，改派。", now=at)

    def _accept(self, at):
        task = self.lead_task()
        services.task_accept(task=task, actor=self.handler(task), now=at)

    def _request_extension(self, at):
        task = self.lead_task()
        services.task_request_extension(task=task, actor=self.handler(task), reason=EXTENSION_REASON, now=at,
                                        until=task.due_at + dt.timedelta(days=3))

    def _approve_extension(self, at):
        actor = self.cast("district-command") if self.case.tier == "district" else self.staff
        services.task_approve_extension(task=self.lead_task(), actor=actor, now=at)

    def _respond(self, at):
        # Co-operating agencies report back first, so a closed case leaves no task open.
        helpers = Task.objects.select_related("agency", "department").filter(
            case=self.case, role=TaskRole.COOPERATING, status__in=[TaskStatus.PENDING, TaskStatus.ACCEPTED])
        for task in helpers:
            services.task_respond(task=task, actor=self.handler(task), result="已配合完成现场处置。", now=at)
        task = self.lead_task()
        if task.agency_id:
            result = RESULTS[task.agency.kind]
        else:
            result = DEPARTMENT_RESULT.format(department=task.department.name)
        services.task_respond(task=task, actor=self.handler(task), result=result, now=at)

    def _verifier(self):
        return self.grid_worker if self.rng.random() < 0.5 else self.staff

    def _verify(self, at):
        self.case = services.case_verify(case=self.case, actor=self._verifier(), passed=True, now=at,
                                         note=self.rng.choice(VERIFY_PASSED_NOTES))

    def _verify_failed(self, at):
        self.case = services.case_verify(case=self.case, actor=self._verifier(), passed=False,
                                         note=VERIFY_FAILED_NOTE, now=at)

    def _rate(self, at):
        # Only the public is called back; grid workers' and staff's own reports are not rated.
        if not self.case.reporter_phone or self.rng.random() < 0.2:
            return
        satisfaction = self.rng.choices(list(RATING_COMMENTS), weights=[70, 20, 10])[0]
        self.case = services.case_rate(case=self.case, actor=self.staff, satisfaction=satisfaction, now=at,
                                       comment=self.rng.choice(RATING_COMMENTS[satisfaction]))

    def _escalate(self, at):
        self.case = services.case_escalate(case=self.case, actor=self.staff, now=at,
                                           reason=self.rng.choice(ESCALATE_REASONS))

    def _district_dispatch(self, at):
        self.case = services.case_dispatch(case=self.case, actor=self.cast("district-command"),
                                           lead=self.category.default_department.code, now=at)


def seed_cases(out) -> None:
    if Case.objects.filter(external_id__startswith=DEMO_PREFIX).exists():
        out("demo cases: already there, left alone")
        return
    now = timezone.now()
    # Two generators: what happens depends only on the seed; when it happens also on today's date.
    rng, clock = random.Random(2013), random.Random(2014)
    streets = list(Street.objects.filter(district__code=DISTRICT_CODE).order_by("code"))
    grids: dict[int, list[tuple]] = {}
    for row in (GridCell.objects.filter(community__street__in=streets).order_by("code")
                .values_list("community__street_id", "id", "centroid_lat", "centroid_lng", "community__name")):
        grids.setdefault(row[0], []).append(row[1:])
    categories = list(Category.objects.filter(parent__isnull=False, name__in=list(DEMO_REPORTS))
                      .select_related("default_department").order_by("code"))
    with_agency = [c for c in categories if c.default_agency_kind]
    on_site = [c for c in categories if c.name in ON_SITE_NOTES]
    cast = _DemoCast()
    last_case_in_street: dict[int, Case] = {}
    for number, scenario in enumerate(_demo_plan(rng), start=1):
        street = streets[(number - 1) % len(streets)]
        _count, steps = SCENARIOS[scenario]
        if scenario == "resolved_on_site":
            pool = on_site
        elif any(step in ("dispatch", "dispatch_wrong") for step in steps):
            pool = with_agency
        else:
            pool = categories
        demo = _DemoCase(cast=cast, rng=rng, clock=clock, at=_start_time(clock, now, scenario, steps),
                         category=rng.choice(pool), earlier=last_case_in_street.get(street.id))
        demo.report(number=number, scenario=scenario, grid=rng.choice(grids[street.id]), street=street)
        for step in steps:
            demo.step(step)
        last_case_in_street[demo.case.street_id] = demo.case
    statuses = Counter(Case.objects.filter(external_id__startswith=DEMO_PREFIX).values_list("status", flat=True))
    out(f"{sum(statuses.values())} demo cases in {len(streets)} streets: "
        + ", ".join(f"{statuses[status]} {status}" for status in CaseStatus.values))
