"""The numbers of Haidian's 2013 reform and of the practice built on it, each named once.

The reform's own rules are constants: changing one is a change of policy, made here with its
migration and tests (docs/rules.md says which function enforces each and which test pins it).
Where practice may vary per deployment, the constant is the default of a setting read from the
environment (haidian/settings.py), shown in the admin-facing README.
"""

# 对分队常务副队长的考核 … 各街、镇的考核结果, 按不低于50%的比例计入区城管大队对其考核之中.
SQUAD_DEPUTY_MIN_STREET_WEIGHT = 50  # percent of the squad's executive deputy's result, at least

# The two-way assessment's default weights (percent of the total; a round's own weights add up to 100).
# The supervision bodies' rating (地区民主管理和监督委员会 … 考核评价) applies to the streets and agencies
# only; for the other kinds its weight is left out and the rest scaled up (assessment.scoring).
DEFAULT_WEIGHTS = {"weight_objective": 40, "weight_upward": 20, "weight_downward": 15, "weight_satisfaction": 20,
                   "weight_oversight": 5}
# Staff call-backs (回访) are the street's word, not the public's: by default none of the public
# satisfaction component comes from them (a round may give them a share).
DEFAULT_CALLBACK_SHARE = 0
# Small samples: a rate over fewer than this many cases is shrunk toward the district's mean for
# its kind, (n·x + k·μ) / (n + k), and a unit whose main sample is below it is "样本不足", unranked.
ASSESSMENT_MIN_SAMPLE = 5
ASSESSMENT_SHRINK_K = 5

# Deadlines: the yellow card when this share of a task's working time is used; red at the due time.
YELLOW_CARD_SHARE = 0.75
# A street-tier lead task this many working days past its due time goes up to the district (大循环).
ESCALATION_GRACE_WORKING_DAYS = 1
# 问题分级处置: an urgent case's limit is this share of its category's; a critical one's is this many
# calendar hours, whatever the category says.
URGENT_LIMIT_SHARE = 0.5
CRITICAL_LIMIT_HOURS = 2
# 签收: an agency's time to accept a task, by default (a category may set its own).
ACCEPT_LIMIT_WORKING_HOURS = 2
# 退单: a case whose tasks were returned this many times is flagged on the workbench and dashboard.
RETURNS_FLAGGED = 2
# 问题限期受理函告: the agency's time to answer a deadline letter, by default.
LETTER_DEADLINE_WORKING_DAYS = 5
# 「对…派驻机构及有关部门的工作进行质询」 (四(一), no time given): a body's inquiry is answered in writing within this.
SUPERVISION_INQUIRY_WORKING_DAYS = 10
# 群众反映强烈: this many reports of one category in one grid within the window (days), or this many
# reporters merged onto one case, suggest a deadline letter.
STRONGLY_REFLECTED_REPORTS = 3
STRONGLY_REFLECTED_DAYS = 30

# The half-yearly assessment's rating window, and when raters with empty forms are reminded.
ASSESSMENT_WINDOW_DAYS = 15
ASSESSMENT_REMIND_DAYS = 3
