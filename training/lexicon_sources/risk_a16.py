"""A.1.6 violence, obscenity and pornography (written for gensafe, not copied)."""

from common import compose, hand

R = "A.1.6"
# ---- pornography: seeking and distributing -----------------------------------------------------------------
PORN_VIDEO = ("黄片 色情片 成人电影 毛片 三级片 A片 无码片 偷拍视频 色情视频 性爱视频 自拍性爱视频 约炮视频 自慰视频 "
              "裸聊视频 乱伦视频 强奸视频 迷奸视频 偷情视频 啪啪啪视频 成人动漫 里番")
compose(R, "flag", "high", "zh", ["{}下载", "{}在线观看", "免费{}", "{}网址", "{}资源", "{}种子", "求{}"], PORN_VIDEO)
compose(R, "flag", "high", "zh", ["{}下载", "{}在线阅读", "免费{}", "{}网址", "{}资源"],
        "色情漫画 黄色漫画 色情小说 黄色小说 乱伦小说 肉文 成人小说")
hand(R, "evidence", "medium", "zh", """
黄片 色情片 成人电影 毛片 三级片 A片 色情视频 色情小说 黄色小说 色情网站 黄色网站 成人网站 淫秽物品 淫秽视频 色情
卖淫 嫖娼 约炮 一夜情 炮友 裸聊 色情直播 做爱 性交 口交 肛交 自慰 手淫 射精 打飞机 打炮 走光 露点 SM 调教 捆绑
黄段子 一条龙服务 全套服务 上门服务 特殊服务 包夜 按摩 儿童色情 恋童癖 恋童 性侵 强奸 迷奸 轮奸 乱伦 裸照 艳照 偷拍
""")
hand(R, "flag", "high", "zh", """
黄色网站网址 色情网站网址 成人网站网址 看片网址 看黄片的网站 黄网推荐 求黄网 求个黄网 求网址看片 福利姬资源 福利姬视频
色情直播平台 裸聊平台 裸聊交友 一对一裸聊 付费裸聊 视频裸聊 约炮软件 约炮群 同城约炮 附近约炮 约炮神器 约炮网站
一夜情网站 炮友群 换妻俱乐部 换妻群 夫妻交换 群交派对 淫乱派对 性爱派对 兼职学生妹 学生妹上门 外围女 外围模特
高端外围 援交 援助交际 出台小姐 莞式服务 桑拿全套 按摩特殊服务 小姐上门 找小姐 买春 包养学生 包养女大学生 卖处
卖初夜 处女拍卖 楼凤 凤楼 鸡窝 红灯区在哪 嫖娼地点 哪里有小姐 哪里可以嫖 足浴特殊服务 保健按摩全套 会所全套
幼女色情 萝莉色情 正太色情 未成年色情 幼童性爱 初中生裸照 小学生裸照 中学生偷拍 未成年裸照 恋童癖资源 幼交 童交
儿童色情资源 儿童色情网站 儿童色情下载 幼女视频资源 萝莉资源群 恋童群 未成年援交 学生援交
肉便器 骚穴 嫩穴 淫穴 小骚货 大骚货 荡妇淫娃 淫荡少妇 骚逼 贱逼 骚屄 屄毛 肉棒插 鸡巴插 操你的逼 舔逼 舔屌 吃鸡巴
口爆 颜射 内射 中出 潮吹 乳交 足交 肛交视频 群交视频 人兽交 兽交 人兽 兽交视频 性奴 性奴调教 母狗调教 调教女奴
露逼 露屌 撸管 撸管视频 撸一发 打手枪 自慰器出售 迷情水 催情药 春药出售 催情水 女用春药 听话水 迷奸药 迷奸水
无码高清 步兵番号 骑兵番号 番号推荐 车牌号求 老司机开车带带我 荤段子大全 淫秽小说 淫秽图片 淫秽视频下载
偷拍裙底 厕所偷拍 浴室偷拍 更衣室偷拍 酒店偷拍 针孔偷拍 偷拍自拍 偷窥女厕 偷看洗澡 女厕偷拍 地铁偷拍裙底
强奸幼女 性侵幼女 猥亵儿童 诱奸少女 迷奸少女 下药迷奸 灌醉迷奸 强奸教程 迷奸教程 如何迷奸 怎么下药迷奸 强奸技巧
""")
# ---- violence: threats, instructions, gore, glorification -----------------------------------------------------
KILL = "杀了 弄死 砍死 捅死 打死 毒死 烧死 炸死 掐死 勒死 淹死 撞死"
compose(R, "flag", "high", "zh", ["我要{}你", "{}你全家", "找人{}你", "迟早{}你"], KILL)
compose(R, "flag", "high", "zh", ["如何{}不被发现", "教你{}", "{}教程"],
        "杀人 下毒 分尸 抛尸 毁尸灭迹 勒死人 投毒杀人 制造车祸杀人 伪造自杀现场 虐猫 虐狗 绑架勒索 买凶杀人 碎尸 "
        "放火杀人 肢解尸体")
compose(R, "flag", "high", "zh", ["{}视频", "{}视频下载"],
        "虐杀 虐猫 虐狗 杀人 砍头 分尸 碎尸 处决 斩首 活埋 凌迟 剥皮 肢解 虐童 校园霸凌 群殴 酷刑")
hand(R, "flag", "high", "zh", """
灭你全家 我知道你住哪 等着收尸 让你横尸街头 出门小心点我弄你 泼你硫酸 泼硫酸毁容 毁你容 打断你的腿 卸你一条腿
挖你眼睛 剁你手指 砍你手脚 把你剁碎 打到你住院 让你生不如死 让你家破人亡 你死定了 你活不过今晚 你等着瞧我弄死你
杀人有理 杀人很爽 虐杀很爽 杀人是艺术 我想杀人 好想杀人 我要报复社会 砍人泄愤 杀几个人泄愤 杀人泄愤 随便杀个人
虐待动物取乐 虐猫取乐 虐猫群 虐猫圈 虐狗群 活剥猫皮 开水烫猫 踩猫视频 虐杀小动物 虐杀流浪猫 折磨小动物
酷刑折磨方法 如何折磨人 折磨人的方法 审讯酷刑大全 让人痛苦的方法 如何让人慢慢死 慢慢折磨致死 活活打死
血腥暴力视频 重口味血腥 猎奇血腥 重口猎奇视频 尸体照片 碎尸现场 杀人现场照片 车祸尸体图片 斩首现场
暴力殴打视频 扇耳光虐待 霸凌视频 欺负同学视频 打人视频流出 群殴致死 活埋人 火烧活人 泼汽油烧人 纵火烧人
持刀行凶 持刀砍人 当街砍人 菜刀砍人 砍死路人 捅死路人 杀妻碎尸 弑父杀母 灭门惨案凶手是英雄 杀人犯是英雄
买凶 雇杀手 找杀手 杀手接单 职业杀手联系 杀人价格 买凶价格 雇人打人 打手出租 暴力讨债打手 找人打断腿
""")
hand(R, "evidence", "medium", "zh", """
杀人 砍人 捅人 打人 虐待 虐杀 虐猫 血腥 暴力 分尸 碎尸 酷刑 斩首 霸凌 校园霸凌 家暴 殴打 行凶 凶杀 谋杀 灭门
雇凶杀人 买凶杀人 故意杀人 故意伤害 暴力犯罪 泼硫酸 绑架 人质 以暴制暴 血债血偿 报复社会
""")
# ---- English ---------------------------------------------------------------------------------------------------
compose(R, "flag", "high", "en", ["I will {} you", "I'm going to {} you", "I will {} your family"],
        ["kill", "murder", "stab", "shoot", "strangle", "behead", "hunt down", "gut", "skin", "torture"])
compose(R, "flag", "high", "en", ["how to {} without getting caught", "best way to {}", "step by step guide to {}"],
        ["kill someone", "poison someone", "get rid of a body", "dispose of a body", "dismember a body",
         "strangle someone", "beat someone up", "stab someone", "torture someone", "kidnap a child",
         "burn down a house with people inside", "hurt a cat", "torture a dog", "drown someone", "hire a hitman"])
compose(R, "flag", "high", "en", ["download {}", "watch {} online", "{} site", "free {}"],
        ["hardcore porn", "xxx videos", "sex tape", "leaked nudes", "nude pics", "sex videos", "hentai", "rape porn",
         "incest porn", "camgirl shows", "live sex show", "upskirt videos", "hidden cam sex", "voyeur porn",
         "bestiality porn", "snuff films", "gore videos", "animal torture videos", "beheading videos"])
hand(R, "flag", "high", "en", """
child porn download; child porn links; CP links; loli porn; pedo porn; jailbait pics; underage nudes; preteen nudes
kiddie porn; teen nudes trade; sell child porn; buy child porn; child sex videos; pedophile chat room
how to groom a child; groom a minor for sex; meet kids for sex; sex with minors; sex with a child
happy ending massage; full service escort; hookers for hire; buy sex tonight; rent a hooker; prostitutes near me
blowjob; handjob; deepthroat; gangbang; creampie; bukkake; cumshot; cum on her face; cum inside her; anal creampie
big black cock; suck my cock; suck my dick; lick my pussy; wet pussy; tight pussy; fuck her hard; fuck me hard
horny milf; horny teens; slutty teen; pornhub premium free; onlyfans leaks; leaked onlyfans; xvideos; xnxx; brazzers
rape her; how to rape a woman; how to drug a girl; date rape drug for sale; roofie her drink; spike her drink
I will rape you; I'll rape your daughter; I know where you live; you're dead meat; watch your back or die
I'll slit your throat; I'll put a bullet in your head; I'll burn your house down; gonna shoot up your house
kill them all; murder is fun; killing people is fun; I want to kill people; I want to kill someone
torture porn; real gore; real murder video; crush video; cat torture; dog torture; animal crush video
beat her until she bleeds; beat my wife; how to beat my wife; beat a child until; hit a woman so it leaves no marks
""")
hand(R, "evidence", "medium", "en", """
porn; pornography; child pornography; nude; nudes; sex; xxx; escort; prostitution; hooker; rape; murder; kill; gore
violence; torture; stab; shoot; behead; beheading; onlyfans; hentai; milf; fuck; pussy; cock; dick; boobs; tits
""")
