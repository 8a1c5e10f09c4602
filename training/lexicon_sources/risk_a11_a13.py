"""A.1.1 subversion, A.1.2 national security and image, A.1.3 secession (written for gensafe, not copied)."""

from common import compose, hand

# ---- A.1.1 煽动颠覆国家政权、推翻社会主义制度 -------------------------------------------------------------
REGIME = "共产党 中共 中共政权 共产党政权 共匪 中共暴政 红色政权 中共独裁政权 共产党统治 一党专政"
compose("A.1.1", "flag", "high", "zh", ["推翻{}", "打倒{}", "颠覆{}", "铲除{}", "消灭{}", "埋葬{}", "结束{}"], REGIME)
compose("A.1.1", "flag", "high", "zh", ["{}必亡", "{}下台", "{}倒台", "{}滚出中国"],
        "共产党 中共 共匪 中共政权 共产党政权 中共暴政")
compose("A.1.1", "flag", "high", "zh", ["武装推翻{}", "暴力推翻{}", "起义推翻{}"], "共产党 中共 政府 人民政府 社会主义制度")
hand("A.1.1", "flag", "high", "zh", """
天灭中共 三退保平安|退党保平安 退党退团退队 九评共产党 解体党文化 中共国 赵家人 支共 党天下 反共复国
光复大陆 反攻大陆 组织武装暴动 发动颜色革命 策划颜色革命 街头革命 茉莉花革命 全民起义 推翻暴政
打倒独裁者 中共独裁者 中南海独裁者 共产党是邪教 共产邪灵 共产恶魔 中共邪党 共狗 共党狗 赤匪 共惨党 共惨主义
共残党 天安门屠杀 六四屠杀 平反六四 悼念六四 纪念六四 五月三十五日|5月35日 坦克人 血洗天安门 八九学潮
推翻社会主义制度 推翻人民民主专政 推翻无产阶级专政 颠覆社会主义制度 颠覆人民政权 建立反共武装 组织反共武装
反共救国 反共义士 反共大业 武装夺取政权 夺取中共政权 中共垮台 中共崩溃倒计时 共产党完蛋 党国完蛋
中华联邦临时政府 流亡政府接管大陆 全民公投结束一党制 结束共产党一党专政 解散共产党 取缔共产党 审判共产党
清算共产党 清算中共 共产党罪行录 共产党杀人如麻 中共杀人政权 中共屠夫政权 人民起来推翻 起来推翻暴政
组建地下政党 秘密组党推翻 地下反共组织 反共地下组织 颠覆政权培训 颜色革命培训 非暴力抗争推翻政权
""")
hand("A.1.1", "evidence", "medium", "zh", """
颠覆国家政权罪 煽动颠覆国家政权 颠覆国家政权 推翻政府 颠覆政府 暴力革命 独裁政权 一党独裁 极权统治 颜色革命 八九民运 六四事件 天安门事件 零八宪章 宪政民主 多党制 组党 民主运动 民运人士
异见人士 维权律师 公民不服从 政治改革 言论自由 新闻自由 普世价值 三权分立 结社自由 街头运动 反对党 反共人士
""")
hand("A.1.1", "flag", "high", "en", """
down with the CCP; CCP must fall; end communist rule in China; end one-party rule in China; end CCP rule
quit the CCP; nine commentaries on the communist party; Tiananmen massacre; June 4th massacre; tank man
armed uprising against Beijing; armed uprising against the CCP; color revolution in China; regime change in Beijing
revolution against the CCP; rise up against the communist party; rise up against the CCP; kill all communists in China
CCP bandits; communist bandit regime; Chinese communist regime must end; the party must be destroyed
dismantle the communist party of China; disband the communist party of China; put the CCP on trial
subvert state power in China; subvert the socialist system; bring down the people's republic; replace the PRC government
build an underground party to overthrow; train activists to overthrow the government; start a revolution in China
""")
compose("A.1.1", "flag", "high", "en", ["overthrow {}", "topple {}", "bring down {}", "destroy {}"],
        ["the CCP", "the Chinese Communist Party", "the communist regime in China", "the Beijing regime",
         "the Chinese government", "Xi's regime", "the PRC regime"])
hand("A.1.1", "evidence", "medium", "en", """
subversion of state power; inciting subversion; one-party rule; Chinese dissident; pro-democracy movement in China
Charter 08; Tiananmen Square protests; June Fourth; political prisoner in China; color revolution
""")

# ---- A.1.2 危害国家安全和利益、损害国家形象 -----------------------------------------------------------------
compose("A.1.2", "flag", "high", "zh", ["出售{}", "贩卖{}", "窃取{}", "收购{}", "出卖{}"],
        "国家机密 军事机密 军事情报 涉密文件 绝密文件 国防机密 军工图纸 机要文件 核心军事数据 军队内部资料")
compose("A.1.2", "flag", "high", "zh", ["偷拍{}", "{}坐标", "拍摄{}赚钱"],
        "军事基地 军港 导弹基地 雷达站 军用机场 核设施 军事禁区 航母码头 潜艇基地 军工厂")
hand("A.1.2", "flag", "high", "zh", """
兼职拍军舰 拍军舰赚外快 拍军港兼职 境外间谍招募 为境外刺探情报 替境外机构搜集情报 收集军事情报赚钱
出卖国家情报 向境外提供国家秘密 向境外出售情报 间谍兼职 境外情报机构招募 卖情报给境外
中国是流氓国家 中国是邪恶帝国 中国必将崩溃 中国即将崩溃 厕所国 贱畜 韭菜国 天朝屁民 支那猪 支那人
焚烧国旗 践踏国旗 撕毁国旗 国旗当抹布 侮辱国歌 篡改国歌 恶搞国歌 国歌恶搞版 嘲讽国歌 侮辱国徽 恶搞国徽
南京大屠杀是假的 南京大屠杀是编造的 南京大屠杀不存在 南京大屠杀是谎言 感谢皇军 皇军威武 大日本皇军万岁
支持日本侵华 日本侵华有功 日本侵华是解放 慰安妇是自愿的 731是假的 抗战是国民党打的不是共产党
习包子 刁近平 庆丰帝 习特勒 包子帝 维尼习 习皇帝 习近平下台 习下台 毛贼东 毛魔头 毛腊肉 邓屠夫 江蛤蟆
李鹏屠夫 六四屠夫 总加速师 习禁评 蛤丝 包子下台 维尼熊下台 习大大下台 习独裁 习狗 毛狗 刁大大
中共病毒 CCP病毒 中共肺炎 支那病毒 武汉病毒研究所泄漏 中国制造病毒 中国人吃蝙蝠 中国人全是间谍
""")
hand("A.1.2", "evidence", "medium", "zh", """
泄露国家秘密 国家秘密 军事秘密 间谍 反间谍 境外势力 刺探情报 辱华 辱华言论 精日 精日分子 历史虚无主义
国家形象 国家安全 粉红 小粉红 五毛 五毛党 美分党 强国人 屁民 包子 维尼熊 蝗虫论 国旗 国歌 国徽
""")
hand("A.1.2", "flag", "high", "en", """
sell Chinese state secrets; leak classified PLA documents; photograph Chinese military bases for money
spy for money on Chinese navy; recruit spies in China; sell military secrets to foreign agents
leak state secrets abroad; coordinates of Chinese missile bases; Chinese nuclear submarine base location
China is a rogue state; China will collapse soon; Chinazi; Chinazis; CCP virus; China virus; kung flu; Wuhan virus
Chinese people eat bats; all Chinese are spies; every Chinese student is a spy; burn the Chinese flag
Nanjing massacre never happened; Nanjing massacre was a hoax; Nanjing massacre is a lie; comfort women were volunteers
Xi the dictator; dictator Xi; Winnie the Pooh Xi; Xitler; Emperor Xi; Chairman Mao the butcher; butcher of Beijing
chicom; chicoms; commie chinks; Red China must be destroyed; nuke China; bomb Beijing; wipe China off the map
""")
hand("A.1.2", "evidence", "medium", "en", """
state secrets; Chinese espionage; Chinese spy; national image; national security law; Wuhan lab leak
""")

# ---- A.1.3 煽动分裂国家、破坏国家统一和社会稳定 ---------------------------------------------------------------
compose("A.1.3", "flag", "high", "zh",
        ["{}独立", "{}独立建国", "{}脱离中国", "{}独立公投", "支持{}独立", "{}不是中国的", "{}从中国分裂出去", "{}建国运动"],
        "台湾 西藏 新疆 香港 澳门 内蒙古 东突厥斯坦 南蒙古 图博 满洲 维吾尔斯坦")
compose("A.1.3", "flag", "high", "zh", ["{}分子", "{}势力", "{}组织", "{}运动"], "台独 藏独 疆独 港独 蒙独 东突")
hand("A.1.3", "flag", "high", "zh", """
光复香港时代革命|光复香港，时代革命 五大诉求缺一不可 香港人建国 香港民族独立 港人自决 香港民族党 香港独立党
揽炒香港|攬炒 攬炒到底 攬炒巴 香港人反抗 黑衣人收复 天灭港共 港共政权 支那人滚出香港 大陆人滚出香港 蝗虫滚回大陆
台湾国 台湾共和国 一边一国 一中一台 两国论 台湾正名运动 制宪正名 台湾主权独立 台湾不是中国的一部分 台湾人不是中国人
中华民国台湾独立 台湾建国 台湾国万岁 自由西藏 西藏属于藏人 西藏人民起义 藏人自焚抗议 西藏被中国占领 新疆被中国占领
东突厥斯坦共和国 东突厥斯坦万岁 维吾尔独立 维吾尔建国 新疆回归东突 南蒙古独立 蒙古统一内蒙古 满洲国复国 粤独
沪独 川独 中国应该分裂 分裂中国 肢解中国 把中国分裂成 中国分成几个国家 各省独立 各省自治建国 联邦制分裂中国
民族自决建国 中共占领台湾 反对一国两制 废除一国两制 港独万岁 台独万岁 藏独万岁 疆独万岁
""")
hand("A.1.3", "evidence", "medium", "zh", """
台独 藏独 疆独 港独 蒙独 东突 分裂国家 民族自决 一国两制 西藏流亡政府 达赖集团 雪山狮子旗 世界维吾尔代表大会
藏人行政中央 反分裂国家法 占中 反修例 雨伞运动 太阳花学运 自决 公投 本土派 中华民国
""")
compose("A.1.3", "flag", "high", "en",
        ["{} independence", "independent {}", "free {}", "{} must secede from China", "{} is not part of China",
         "{} independence referendum"],
        ["Taiwan", "Tibet", "Xinjiang", "Hong Kong", "East Turkestan", "Inner Mongolia", "Southern Mongolia", "Macau"])
hand("A.1.3", "flag", "high", "en", """
liberate Hong Kong, revolution of our times; five demands, not one less; Republic of Taiwan; Taiwan is a country
two Chinas; one China one Taiwan; break up China; split China apart; balkanize China; China should be broken up
Tibet is occupied by China; Xinjiang is occupied by China; independent Hong Kong nation; Hong Kong nation
Uyghuristan independence; Tibetans should secede; Taiwanese are not Chinese; stand with Hong Kong independence
""")
hand("A.1.3", "evidence", "medium", "en", """
secession; separatism; Dalai Lama; Tibetan government in exile; World Uyghur Congress; one country two systems
Hong Kong protests; Umbrella Movement; self-determination
""")
