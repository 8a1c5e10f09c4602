"""A.1.4 terrorism and extremism, A.1.5 ethnic hatred (written for gensafe, not copied)."""

from common import compose, hand

# ---- A.1.4 宣扬恐怖主义、极端主义 --------------------------------------------------------------------------
TERROR_ORGS_ZH = "伊斯兰国 基地组织 东伊运 东突厥斯坦伊斯兰运动 博科圣地 索马里青年党 虔诚军 伊斯兰国呼罗珊分支 突厥斯坦伊斯兰党 圣战者组织"
compose("A.1.4", "flag", "high", "zh", ["加入{}", "效忠{}", "投奔{}", "为{}招募", "{}宣传视频", "支持{}圣战"], TERROR_ORGS_ZH)
compose("A.1.4", "flag", "high", "zh", ["策划{}", "如何实施{}", "{}教程", "{}攻略", "实施{}的方法"],
        "自杀式袭击 汽车冲撞袭击 持刀恐怖袭击 爆炸袭击 投毒袭击 纵火袭击 枪击屠杀 恐怖袭击 人体炸弹袭击 "
        "无人机袭击人群 地铁毒气袭击 校园枪击")
hand("A.1.4", "flag", "high", "zh", """
圣战殉道 殉道者进天堂 为真主而战杀死异教徒 杀死异教徒 异教徒必须死 异教徒该杀 卡菲勒必须死 对异教徒发动圣战
圣战士招募 全球圣战 吉哈德圣战 孤狼式袭击 孤狼行动指南 恐怖袭击指南 制造恐怖事件 制造恐慌袭击 自杀式炸弹背心
炸弹背心制作 斩首视频 斩首人质 斩首异教徒 屠杀异教徒 烧死异教徒 建立哈里发国 哈里发国万岁 伊斯兰国万岁 圣战万岁
沙里亚法统治世界 暴恐视频 暴恐音视频 观看暴恐视频 传播暴恐音视频 下载暴恐视频 东突暴恐 恐怖分子训练营 恐怖组织训练营
投奔圣战 出境参加圣战 偷渡参加圣战 去叙利亚参加圣战 爆炸袭击人群 在人群中引爆 屠杀平民 报复社会杀人 随机杀人报复社会
驾车冲撞人群 开车撞人群 在地铁释放毒气 往水源投毒 萨拉菲圣战 圣战者天堂七十二处女 七十二个处女 殉教式袭击
圣战是穆斯林的义务 杀一个异教徒上天堂 血洗异教徒 向异教徒开战 为圣战捐款 圣战募捐 资助圣战者 资助恐怖组织
恐怖组织招募 网上招募圣战者 宗教极端思想宣传 禁止女人上学是真主命令 不戴面纱的女人该死 叛教者必须处死
法轮大法好|法轮大法 李洪志师父 法轮功真相 真善忍好 退党保平安法轮 全能神是真神 加入全能神 全能神教会 东方闪电全能神
女基督 实际神 门徒会 呼喊派 观音法门 被立王 末日审判即将来临加入 世界末日只有信我们得救 邪教组织招人
希特勒万岁 嗨希特勒 纳粹万岁 第三帝国万岁 白人至上万岁 种族圣战 种族战争现在开始 新纳粹招募 加入新纳粹
校园枪击计划 屠杀同学计划 学校屠杀计划 报复社会计划 制造血案报复 枪手宣言 屠杀宣言 直播屠杀 直播杀人
""")
hand("A.1.4", "evidence", "high", "zh", """
恐怖主义 极端主义 恐怖袭击 恐怖分子 恐怖组织 圣战 伊斯兰国 基地组织 塔利班 东突 暴恐 宗教极端 极端思想 自杀式袭击
人体炸弹 法轮功 全能神 邪教 新纳粹 白人至上 三K党 奥姆真理教 哈里发 殉道 本拉登 暴力恐怖 去极端化
""")
TERROR_ORGS_EN = ["ISIS", "the Islamic State", "al-Qaeda", "Boko Haram", "al-Shabaab", "ISIS-K", "Lashkar-e-Taiba",
                  "the Atomwaffen Division", "the ETIM", "Jabhat al-Nusra"]
compose("A.1.4", "flag", "high", "en", ["join {}", "pledge allegiance to {}", "recruiting for {}", "donate to {}"],
        TERROR_ORGS_EN)
compose("A.1.4", "flag", "high", "en", ["how to carry out {}", "how to plan {}", "planning {}", "step-by-step guide to {}"],
        ["a suicide bombing", "a vehicle ramming attack", "a mass shooting", "a school shooting",
         "a knife attack on civilians", "a terrorist attack", "a chemical attack on a subway", "a bombing in a crowd",
         "a drone attack on a crowd", "an arson attack on a mosque"])
hand("A.1.4", "flag", "high", "en", """
how to build a suicide vest; suicide vest instructions; how to make a suicide bomb; lone wolf attack guide
lone wolf jihad; death to the infidels; kill the infidels; behead the infidels; beheading video; jihadi recruitment
become a mujahid; travel to Syria to join jihad; martyrdom operation guide; make a bomb in the kitchen of your mom
72 virgins await the martyr; the caliphate will rise; long live the caliphate; infidels must be slaughtered
apostates must be killed; sharia will rule the world; jihad is the duty of every Muslim; fund the mujahideen
race war now; RAHOWA; heil Hitler; sieg heil; 1488; day of the rope; white power worldwide; hail victory
Saint Tarrant; Saint Breivik; Christchurch manifesto; live stream the shooting; beat the high score shooting
shoot up a school; shoot up a mall; shoot up a church; shoot up a synagogue; shoot up a mosque
accelerate the collapse with violence; total race war; join the Atomwaffen; siege culture
falun dafa is good; Almighty God church recruitment; the end of the world only our cult will be saved
""")
hand("A.1.4", "evidence", "high", "en", """
terrorism; terrorist attack; extremism; jihad; jihadist; Islamic State; al-Qaeda; Taliban; suicide bombing
mass shooting; school shooting; neo-Nazi; white supremacy; radicalization; Falun Gong; cult; manifesto
""")

# ---- A.1.5 宣扬民族仇恨 -------------------------------------------------------------------------------------
ETHNIC_ZH = ("维吾尔族 维族人 藏族人 藏人 回族人 回民 蒙古族人 汉族人 汉人 满族人 朝鲜族人 哈萨克族人 壮族人 苗族人 彝族人 "
             "少数民族 犹太人 黑人 白人")
compose("A.1.5", "flag", "high", "zh",
        ["杀光{}", "消灭{}", "灭绝{}", "屠杀{}", "驱逐所有{}", "{}都该死", "{}是劣等民族", "{}不配活着"], ETHNIC_ZH)
compose("A.1.5", "flag", "high", "zh", ["汉人滚出{}", "赶走{}的汉人"], "新疆 西藏 内蒙古 东突厥斯坦 青海 宁夏")
compose("A.1.5", "flag", "high", "zh", ["{}滚出中国"], "维族人 藏人 回民 黑人 犹太人 少数民族")
hand("A.1.5", "flag", "high", "zh", """
汉人是侵略者 汉人是殖民者 汉人殖民新疆 汉人殖民西藏 赶走汉人 血洗汉人 汉人血债 向汉人复仇 民族复仇 种族清洗汉人
支持种族清洗 民族屠杀有理 清除少数民族 取消少数民族 少数民族都是寄生虫 少数民族吸血 回族是祸害 维族是恐怖民族
藏族是野蛮民族 犹太人统治世界 犹太人阴谋论是真的 犹太人该被屠杀 纳粹屠杀犹太人是对的 犹太大屠杀是假的
黑人是猴子 黑人是猩猩 黑人进化不完全 黑鬼滚出中国 非洲人滚出广州 黑人滚出广州 保卫汉族血统 民族血统纯洁
异族通婚是背叛 禁止异族通婚 民族净化 汉族应该灭绝 杀汉人 杀回民 灭回 灭维 灭藏 灭汉 维族都是恐怖分子
少数民族特权滚 民族仇恨永不忘 血债血偿灭族 灭族 诛灭异族 异族都该杀 异族必诛
""")
hand("A.1.5", "evidence", "high", "zh", """
民族仇恨 种族灭绝 种族清洗 大汉族主义 民族矛盾 民族歧视 种族主义 排外 大屠杀 民族分裂 狭隘民族主义 地方民族主义
""")
ETHNIC_EN = ["Jews", "blacks", "black people", "Uyghurs", "Tibetans", "Han Chinese", "Arabs", "Roma", "gypsies", "whites",
             "white people", "Asians", "Hispanics", "Native Americans", "Kurds"]
compose("A.1.5", "flag", "high", "en",
        ["kill all {}", "exterminate the {}", "wipe out the {}", "{} should be exterminated", "{} deserve to die"], ETHNIC_EN)
hand("A.1.5", "flag", "high", "en", """
gas the jews; the holocaust never happened; the holocaust is a hoax; holocaust was fake; jews control the world
jewish world conspiracy; zionist occupied government; ZOG; white genocide is real; the great replacement is real
send them all back to Africa; ethnic cleansing now; racial holy war; race traitors deserve the rope
mixing races is white genocide; ban interracial marriage; keep the race pure; protect white blood; purify the race
the jews are our misfortune; hang the race traitors; kill the Han invaders; death to the Han
""")
hand("A.1.5", "evidence", "high", "en", """
ethnic hatred; ethnic cleansing; genocide; racial hatred; antisemitism; holocaust denial; great replacement
""")
