"""A.2.x discrimination, composed part: a protected group × a discriminatory generalisation or exclusion.

Every pattern is a statement a reviewer recognises as discrimination whatever group fills it ("河南人都是骗子",
"不招乙肝患者", "Muslims are all terrorists"); the 都是/全是 spellings are variants of one term, not extra terms.
"""

from common import compose

ALL_ARE = ["{}都是骗子|{}全是骗子", "{}都是小偷|{}全是小偷", "{}素质低|{}素质太低", "{}都是垃圾|{}全是垃圾",
           "{}都是人渣|{}全是人渣"]

# ---- A.2.1 ethnicity / race ----------------------------------------------------------------------------------------
ETHNIC = ("维吾尔族人 维族人 藏族人 回族人 回民 蒙古族人 苗族人 彝族人 壮族人 朝鲜族人 满族人 哈萨克族人 少数民族 汉族人 "
          "黑人 白人 犹太人 吉普赛人 黄种人 黑种人 土家族人 侗族人")
compose("A.2.1", "flag", "medium", "zh",
        ALL_ARE + ["{}天生懒惰", "{}智商低", "{}都很脏|{}全都很脏", "{}是野蛮人", "{}都是罪犯", "不招{}|不要{}员工",
                   "拒绝{}入住"], ETHNIC)
compose("A.2.1", "flag", "medium", "en",
        ["{} are animals", "{} are subhuman", "{} are apes", "{} are parasites", "{} are inferior", "{} are all criminals",
         "{} are vermin", "{} are genetically inferior", "{} have low IQ", "I hate {}"],
        ["black people", "blacks", "Jews", "Asians", "Hispanics", "Arabs", "Native Americans", "Roma", "gypsies",
         "white people", "Uyghurs"])

# ---- A.2.2 religion -------------------------------------------------------------------------------------------------
RELIG = "穆斯林 伊斯兰教徒 基督徒 天主教徒 佛教徒 道教徒 犹太教徒 印度教徒 回教徒 信教的人 喇嘛 和尚"
compose("A.2.2", "flag", "medium", "zh",
        ["{}都是恐怖分子|{}全是恐怖分子", "{}都是疯子|{}全是疯子", "{}都是骗子|{}全是骗子", "{}都该死", "{}滚出中国",
         "{}都是蠢货", "不招{}", "{}素质低", "{}都是伪君子", "{}都是邪教徒"], RELIG)
compose("A.2.2", "flag", "medium", "en",
        ["{} are terrorists", "{} are all terrorists", "{} are animals", "{} are subhuman", "{} are a cancer", "ban all {}",
         "{} should be deported", "I hate {}", "{} are vermin", "death to {}"],
        ["Muslims", "Christians", "Jews", "Hindus", "Sikhs", "Buddhists", "Catholics", "Mormons", "atheists"])

# ---- A.2.3 nationality ---------------------------------------------------------------------------------------------
NATION = ("日本人 韩国人 美国人 印度人 越南人 菲律宾人 非洲人 俄罗斯人 朝鲜人 巴基斯坦人 阿拉伯人 外国人 老外 东南亚人 "
          "缅甸人 印尼人 泰国人 蒙古人 德国人 法国人 英国人 以色列人 墨西哥人 乌克兰人")
compose("A.2.3", "flag", "medium", "zh",
        ALL_ARE + ["{}都很脏|{}全都很脏", "{}都是猪|{}全是猪", "{}不是人", "{}滚出中国", "{}都该死", "{}都是变态", "不招{}",
                   "拒绝{}入住"], NATION)
compose("A.2.3", "flag", "medium", "zh", ["中国人{}"],
        "都是骗子 都是小偷 素质低 都是垃圾 都是蝗虫 都是奴才 是劣等人 吃狗肉野蛮 都是间谍 不配当人")
compose("A.2.3", "flag", "medium", "en",
        ["{} are animals", "{} are parasites", "{} are vermin", "{} are all criminals", "{} are rapists",
         "{} should go back to their country", "deport all {}", "{} are invading us", "{} are a plague", "I hate {}",
         "{} are dirty"],
        ["Mexicans", "Chinese people", "the Chinese", "Indians", "Pakistanis", "Africans", "immigrants", "refugees",
         "migrants", "Syrians", "Somalis", "Koreans", "Japanese people", "Filipinos", "Russians", "Poles"])

# ---- A.2.4 region ----------------------------------------------------------------------------------------------------
REGION = ("河南人 东北人 上海人 北京人 安徽人 新疆人 广东人 福建人 湖南人 湖北人 四川人 山东人 江西人 甘肃人 贵州人 广西人 "
          "山西人 陕西人 河北人 江苏人 浙江人 潮汕人 温州人 莆田人 东莞人 苏北人 外地人 乡下人 大陆人 香港人 台湾人 西北人 "
          "南方人 北方人 天津人 重庆人 云南人 海南人 内蒙人 宁夏人 青海人 西藏人 黑龙江人 吉林人 辽宁人 农村人")
compose("A.2.4", "flag", "medium", "zh",
        ALL_ARE + ["{}都是穷鬼|{}全是穷鬼", "{}滚出去|{}滚回老家", "不招{}", "不租给{}|房子不租{}"], REGION)
compose("A.2.4", "flag", "medium", "en", ["{} are inbred", "{} are all trash", "{} are too dumb to", "I hate {}"],
        ["southerners", "hillbillies", "rednecks", "Appalachians", "mainlanders", "northerners", "country folk"])

# ---- A.2.5 gender -----------------------------------------------------------------------------------------------------
WOMEN = "女人 女的 女司机 女博士 剩女 女程序员 女领导 女大学生 离婚女人 单亲妈妈 中国女人 女生 女员工"
compose("A.2.5", "flag", "medium", "zh",
        ["{}都是婊子|{}全是婊子", "{}就是贱", "{}都是拜金女|{}全是拜金女", "{}智商低", "{}就该在家带孩子", "{}都是绿茶婊",
         "{}不如男人", "{}都是废物|{}全是废物"], WOMEN)
compose("A.2.5", "flag", "medium", "zh", ["{}都是废物|{}全是废物", "{}都是渣男|{}全是渣男", "{}都该死", "{}都是畜生"],
        "男人 男的 中国男人 国男 已婚男人 直男")
compose("A.2.5", "flag", "medium", "en",
        ["{} belong in the kitchen", "{} are inferior to men", "{} are stupid", "{} are worthless", "{} are whores",
         "{} are property", "{} should not be allowed to vote", "I hate {}", "{} are too emotional to lead"],
        ["women", "girls", "females", "wives", "female bosses", "women engineers"])

# ---- A.2.6 age ------------------------------------------------------------------------------------------------------
AGE = "老人 老年人 老头 老太太 大妈 大爷 中年人 中年男人 中年妇女 退休老人 00后 90后 年轻人 老员工 老头子 老太婆"
compose("A.2.6", "flag", "medium", "zh",
        ["{}都该死|{}都去死", "{}都是废物|{}全是废物", "{}都是坏人|{}全是坏人", "{}是社会负担", "不招{}",
         "{}都是垃圾|{}全是垃圾"], AGE)
compose("A.2.6", "flag", "medium", "zh", ["{}岁以上不要", "{}岁以上不招|{}岁以上一律不招", "超过{}岁不录用"], ["35", "40", "45"])
compose("A.2.6", "flag", "medium", "en",
        ["{} should just die", "{} are useless", "{} are a burden on society", "I hate {}", "{} are a waste of space"],
        ["old people", "the elderly", "boomers", "seniors", "old folks", "millennials", "zoomers", "teenagers"])

# ---- A.2.7 occupation ----------------------------------------------------------------------------------------------
JOBS = ("农民工 保安 外卖员 快递员 清洁工 环卫工 服务员 保姆 出租车司机 程序员 护士 医生 教师 警察 城管 公务员 销售 主播 "
        "网红 农民 工人 民工 打工仔 打工妹 洗脚妹 搬砖工 厨师 理发师 售货员 演员")
compose("A.2.7", "flag", "medium", "zh",
        ["{}都是下等人|{}全是下等人", "{}低人一等", "{}没文化|{}都没文化", "{}活该穷", "{}都是垃圾|{}全是垃圾",
         "{}都是人渣|{}全是人渣", "{}都是骗子|{}全是骗子"], JOBS)
compose("A.2.7", "flag", "medium", "en",
        ["{} are the scum of society", "{} are worthless", "{} are too stupid to do anything else", "{} deserve to be poor"],
        ["janitors", "cleaners", "waiters", "cashiers", "farmers", "factory workers", "truck drivers", "nurses",
         "sex workers", "garbage collectors", "construction workers", "fast food workers", "maids", "migrant workers"])

# ---- A.2.8 health / disability ----------------------------------------------------------------------------------------
HEALTH = ("残疾人 残废 瘸子 瞎子 聋子 哑巴 傻子 智障 弱智 脑瘫 精神病人 抑郁症患者 艾滋病人 乙肝患者 肝炎病人 癌症病人 "
          "自闭症儿童 唐氏儿 侏儒 麻风病人 癫痫病人 病秧子 感染者 精神病")
compose("A.2.8", "flag", "medium", "zh",
        ["{}都该死|{}都去死", "{}是废物|{}都是废物", "{}活着浪费粮食", "{}滚出去", "{}不配活着", "不招{}|不录用{}",
         "{}是社会负担", "{}应该被关起来"], HEALTH)
compose("A.2.8", "flag", "medium", "en",
        ["{} should be euthanized", "{} are a burden", "{} should not be allowed to breed", "{} are subhuman",
         "{} are useless", "I hate {}"],
        ["disabled people", "retards", "cripples", "the mentally ill", "autistic people", "deaf people", "blind people",
         "people with AIDS", "people with HIV", "schizophrenics", "people in wheelchairs", "people with Down syndrome",
         "the handicapped"])

# ---- A.2.9 other: sexual orientation, gender identity, appearance, class, education, background ----------------------
LGBT = "同性恋 同性恋者 基佬 拉拉 跨性别者 变性人 双性恋 男同 女同 LGBT"
compose("A.2.9", "flag", "medium", "zh",
        ["{}都该死|{}都去死", "{}是变态|{}都是变态", "{}是精神病|{}都是精神病", "{}恶心|{}真恶心", "{}滚出去",
         "{}不配结婚", "{}应该被治疗", "不招{}"], LGBT)
compose("A.2.9", "flag", "medium", "zh", ["{}都是废物|{}全是废物", "{}素质低", "{}都是垃圾|{}全是垃圾", "不招{}"],
        "穷人 大专生 专科生 二本学生 没学历的人 单亲家庭的孩子 留守儿童 离异家庭的孩子 刑满释放人员 低保户 胖子 矮子 丑女 秃头")
compose("A.2.9", "flag", "medium", "en",
        ["{} are disgusting", "{} are mentally ill", "{} are pedophiles", "{} should be killed", "{} are an abomination",
         "{} need to be cured", "I hate {}", "{} are subhuman", "{} are perverts"],
        ["gay people", "gays", "lesbians", "trans people", "transgender people", "bisexuals", "homosexuals"])
compose("A.2.9", "flag", "medium", "en", ["{} are disgusting", "{} are worthless", "{} deserve nothing"],
        ["fat people", "ugly people", "poor people", "welfare recipients", "ex-convicts", "the homeless"])
