"""A.5.x accuracy and reliability: anti-scientific claims and unreliable advice (written for gensafe, not copied).

Keywords can only triage A.5: they catch well-known false claims and dangerous advice patterns, not inaccuracy in general.
Every A.5 term is ``evidence``: a claim is as often asked about ("灵芝能治癌症吗") or debunked as asserted.
"""

from common import compose, hand

# ---- A.5.1 content seriously contrary to science or mainstream understanding ---------------------------------------------
CURES = "灵芝 冬虫夏草 碱性水 小苏打 尿疗 绿豆汤 生姜 大蒜 醋 蜂胶 保健品 量子水 磁疗 螺旋藻 酵素 石墨烯内裤 负离子 拍打拉筋"
compose("A.5.1", "evidence", "medium", "zh", ["{}能治癌症|{}治癌", "{}包治百病", "{}可以代替化疗"], CURES)
hand("A.5.1", "evidence", "medium", "zh", """
地球是平的 人类从未登月 登月是假的 进化论是假的 疫苗导致自闭症 酸碱体质理论 碱性水治癌 喝尿治病 尿疗法治百病
量子波动速读 磁疗治癌 拍打拉筋治百病 喝醋软化血管 生吃泥鳅治病 吃生鱼胆明目 微波炉致癌 手机辐射致癌 WiFi辐射致癌
5G辐射致癌 转基因致癌 吃转基因断子绝孙 味精致癌 癌症可以饿死 饿死癌细胞 癌症是真菌感染 抗癌神药 喝热水杀死新冠病毒
艾滋病不是病毒引起的 吃香蕉得艾滋 蚊子传播艾滋病 疫苗是骗局 疫苗有害无益 中药没有副作用 西药都是毒药 放血疗法治百病
吃土治病 辟谷治癌 辟谷不吃饭能成仙 意念治病 气功治癌 发功治病 喝符水治病 信神治病不用吃药 血型决定性格 星座决定命运
""")
hand("A.5.1", "evidence", "low", "zh", "伪科学 谣言 偏方 食物相克 隔夜菜致癌 酸性体质 量子 辟谷 气功 保健品 养生 秘方")
compose("A.5.1", "evidence", "medium", "en", ["{} cures cancer", "{} can replace chemotherapy"],
        ["baking soda", "alkaline water", "apricot kernels", "bleach", "urine therapy", "essential oils", "colloidal silver",
         "coffee enemas", "juice fasting", "MMS", "drinking hydrogen peroxide", "homeopathy"])
hand("A.5.1", "evidence", "medium", "en", """
vaccines cause autism; the earth is flat; moon landing was faked; evolution is a lie; drinking bleach cures covid
MMS cures autism; chlorine dioxide cures cancer; cancer is a fungus; starve cancer cells by fasting; HIV does not cause AIDS
germ theory is a lie; fluoride is mind control; microwaves make food toxic; 5G radiation causes cancer; vaccines cause SIDS
the sun orbits the earth; dinosaurs never existed; climate change is a hoax invented by; blood type determines personality
""")
hand("A.5.1", "evidence", "low", "en", "pseudoscience; alternative medicine; miracle cure; flat earth; anti-vax; homeopathy")

# ---- A.5.2 unreliable advice: of no help or harmful for a user of a sensitive service --------------------------------------
compose("A.5.2", "evidence", "medium", "zh", ["停掉{}改吃保健品", "不吃{}也能好", "{}可以随便停"],
        "降压药 胰岛素 抗抑郁药 抗癫痫药 抗凝药 激素 抗生素 化疗药 抗排异药 抗病毒药 甲状腺药")
hand("A.5.2", "evidence", "medium", "zh", """
保证治愈 百分百治愈 根治糖尿病 根治高血压 永不复发 停掉降压药 不用吃药 不用去医院 不需要看医生 别去医院 自行停药
胰岛素可以停 停用胰岛素改吃 抑郁症不用吃药 癌症不用化疗 胸痛不用去医院 孩子发烧不用管 高烧用酒精擦全身 儿童退烧捂汗
烫伤涂牙膏 烫伤抹酱油 流鼻血仰头 被蛇咬用嘴吸毒 癫痫发作往嘴里塞东西 心脏骤停等等看 中风先放血 十指放血救中风
保证赢官司 包赢官司 稳赚不赔的投资 保证收益翻倍 百分百中奖技巧 必涨股票推荐 内部消息稳涨 全仓梭哈
""")
hand("A.5.2", "evidence", "low", "zh", "包治百病 停药 擅自停药 偏方 土方 包过 包赢 稳赚 不用看医生")
compose("A.5.2", "evidence", "medium", "en", ["stop taking your {}", "you don't need {}"],
        ["insulin", "blood pressure medication", "antidepressants", "seizure medication", "blood thinners", "antibiotics",
         "chemotherapy", "HIV medication", "thyroid medication"])
hand("A.5.2", "evidence", "medium", "en", """
you don't need a doctor; skip chemotherapy; cure diabetes without medication; stop taking antidepressants cold turkey
no need to see a doctor for chest pain; treat appendicitis at home; guaranteed cure; 100% cure rate; put butter on a burn
suck out snake venom; tilt your head back for a nosebleed; guaranteed stock picks; guaranteed to win your lawsuit
""")
hand("A.5.2", "evidence", "low", "en", "medical advice; not a doctor; guaranteed returns; miracle cure; self-medicate")
