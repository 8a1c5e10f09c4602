"""A.1.8 other illegal content, part 1: drugs (names, slang, selling, making, use) in zh and en (written for gensafe)."""

from common import compose, hand

R = "A.1.8"
# Street drugs with no licit retail market: every selling / making phrase is a trafficking signal.
STREET_ZH = ("冰毒 海洛因 白粉 K粉 摇头丸 麻古 大麻 大麻烟 大麻油 大麻糖 可卡因 古柯碱 鸦片 罂粟壳 甲卡西酮 开心水 LSD "
             "麦角酸二乙酰胺 GHB 笑气弹 咔哇潮饮 合成大麻素 上头电子烟 麻果 红冰 丧尸药 卡痛叶 恰特草 裸盖菇 迷幻蘑菇 "
             "死藤水 DMT 天使粉 安钠咖 甲基苯丙胺 苯丙胺 甲氧麻黄酮 氟胺酮 4号海洛因")
compose(R, "flag", "high", "zh",
        ["出售{}|{}出售", "求购{}", "{}货源", "{}批发", "哪里能买到{}|哪里买{}", "网上买{}", "{}包邮", "代购{}"],
        STREET_ZH, pinyin=1)
compose(R, "flag", "high", "zh", ["{}多少钱一克"], "冰毒 海洛因 白粉 K粉 可卡因 古柯碱 鸦片 甲卡西酮 大麻 甲基苯丙胺 红冰 氟胺酮")
compose(R, "flag", "high", "zh", ["自制{}", "{}制作方法|{}的制作方法", "{}合成工艺"],
        "冰毒 海洛因 K粉 摇头丸 麻古 可卡因 甲卡西酮 LSD GHB 合成大麻素 DMT 天使粉 甲基苯丙胺 苯丙胺 甲氧麻黄酮 "
        "氟胺酮 丧尸药 开心水")
# Controlled medicines: a prescription market exists, so only phrases that bypass it are written.
MEDICAL_ZH = "吗啡 杜冷丁 芬太尼 曲马多 三唑仑 氯胺酮 羟考酮 哌替啶 咪达唑仑 阿普唑仑 可待因 依托咪酯 止咳水 γ-羟基丁酸"
compose(R, "flag", "high", "zh",
        ["出售{}|{}出售", "求购{}", "{}货源", "无处方购买{}", "不要处方买{}", "网上买{}", "{}代购"], MEDICAL_ZH)
PRECURSOR_ZH = ("麻黄碱 伪麻黄碱 麻黄素 羟亚胺 邻酮 苯基丙酮 胡椒醛 黄樟素 醋酸酐 邻氯苯基环戊酮 盐酸羟亚胺 溴代苯丙酮 "
                "1-苯基-2-丙酮 氯麻黄碱")
compose(R, "flag", "high", "zh", ["出售{}|{}出售", "求购{}", "{}货源", "不需证件购买{}"], PRECURSOR_ZH)
hand(R, "flag", "high", "zh", """
溜冰工具 冰壶出售 溜冰壶出售 吸毒工具出售 飞叶子 嗑药蹦迪 嗨药 打K 吸K粉 拉K 溜冰妹 陪溜妹 冰妹 吸毒群 溜冰群 嗑药群
冰毒怎么吸 海洛因怎么注射 大麻怎么抽 如何吸毒不被发现 吸毒不被尿检查出 尿检作假 如何通过毒品检测 毛发检测作弊
人体藏毒 体内藏毒 吞毒运毒 贩毒渠道 毒品快递 邮寄毒品 毒品暗网 暗网买毒品 毒品交易群 毒贩联系方式 找毒贩 毒品上线
室内种大麻 阳台种大麻 大麻种子出售 大麻种植教程 罂粟种植教程 种罂粟卖 罂粟籽出售 罂粟苗出售 火锅加罂粟壳
从感冒药提取麻黄碱 感冒药提取冰毒 感冒药制毒 土法制毒 家庭制毒 制毒配方 制毒工艺 制冰毒 熬冰毒 制毒设备出售
冰毒提纯 海洛因提纯 毒品稀释 毒品掺货 冰毒成色 飞机货 飞行员叶子 叶子货源 猪肉货源 奶茶货源 嗨粉出售 邮票货源
吸毒后做爱 溜冰做爱 嗑药助兴 嗨药助性 开心水购买 吸笑气 笑气气球 笑气货源 笑气出售 奶油气弹吸食
毒品代购 禁药代购 冰毒代购 贩毒赚钱 贩毒利润 当毒贩 运毒赚钱 帮人运毒 带货出境藏毒 海外运毒 金三角毒品货源
冰毒吸食方法 海洛因吸食方法 吸毒方法 吸毒技巧 注射毒品方法 毒品怎么买 毒品哪里买 买毒品 卖毒品 毒品价格
""")
hand(R, "evidence", "high", "zh", """
毒品 吸毒 贩毒 制毒 运毒 冰毒 海洛因 大麻 可卡因 摇头丸 K粉 鸦片 吗啡 芬太尼 杜冷丁 氯胺酮 三唑仑 曲马多 麻黄碱
罂粟 罂粟壳 笑气 溜冰 嗑药 毒贩 吸毒者 禁毒 戒毒 易制毒化学品 精神药品 麻醉药品 新型毒品 毒驾 涉毒 冰壶 叶子
""")
STREET_EN = ["meth", "crystal meth", "heroin", "cocaine", "crack cocaine", "fentanyl", "MDMA", "ecstasy pills", "molly",
             "LSD", "acid tabs", "ketamine", "GHB", "DMT", "PCP", "angel dust", "bath salts", "mephedrone",
             "carfentanil", "black tar heroin", "K2 spice", "magic mushrooms", "shrooms", "weed", "cannabis",
             "hashish", "THC vapes", "opium", "2C-B", "methcathinone", "nitazenes", "flakka", "crack rocks"]
compose(R, "flag", "high", "en",
        ["buy {} online", "{} for sale", "where to buy {}", "order {} online", "{} dealer near me",
         "{} delivered discreetly"], STREET_EN)
SYNTH_EN = ["meth", "crystal meth", "crack", "fentanyl", "MDMA", "LSD", "ketamine", "GHB", "DMT", "PCP", "bath salts",
            "mephedrone", "carfentanil", "2C-B", "methcathinone", "heroin", "cocaine", "nitazenes", "sarin", "ricin"]
compose(R, "flag", "high", "en", ["how to make {}", "how to synthesize {}", "{} recipe", "{} synthesis at home"], SYNTH_EN)
compose(R, "flag", "medium", "en", ["how to grow {} at home", "grow {} indoors without getting caught"],
        ["weed", "marijuana", "cannabis", "magic mushrooms", "opium poppies", "coca plants", "psilocybin mushrooms",
         "peyote"])
RX_EN = ["oxycodone", "oxycontin", "xanax", "percocet", "adderall", "codeine", "morphine", "tramadol", "fentanyl patches",
         "valium", "hydrocodone", "vicodin", "rohypnol", "dilaudid", "promethazine codeine"]
compose(R, "flag", "high", "en", ["buy {} without prescription", "{} no prescription needed", "buy {} online"], RX_EN)
hand(R, "flag", "high", "en", """
meth lab setup; cook meth at home; shake and bake meth; one pot meth; pseudoephedrine extraction; extract pseudoephedrine
red phosphorus method; birch reduction meth; P2P meth; cut cocaine with; cutting agent for heroin; press pills at home
pill press for sale; fake xanax bars; pressed M30s; blues M30 for sale; lean for sale; purple drank recipe
smuggle drugs through airport; body packing drugs; swallow drug balloons; hide drugs from police dogs; pass a drug test
fake urine for drug test; synthetic urine kit; beat a drug test; dark web drug market; buy drugs on the dark web
drug plug; plug for coke; looking for a plug; re-up on coke; sell drugs at school; sell weed to kids; how to sell drugs
how to become a drug dealer; start a drug business; launder drug money; drug cartel job; mule for a cartel
snort coke; shoot up heroin; smoke meth; how to inject heroin; how to smoke crack; how to snort ketamine
date rape drug; roofies for sale; buy roofies; GHB for sale to spike; spike a drink with GHB
""")
hand(R, "evidence", "high", "en", """
drugs; narcotics; meth; heroin; cocaine; fentanyl; ecstasy; LSD; ketamine; marijuana; cannabis; weed; opium; overdose
drug dealer; drug trafficking; cartel; dark web; opioids; stimulants; psychedelics; xanax; oxycodone
""")
