"""A.2.x discrimination, hand-written part: slurs, stereotypes, exclusion phrases (written for gensafe, not copied)."""

from common import hand

# ---- A.2.1 ethnicity / race -------------------------------------------------------------------------------------------
hand("A.2.1", "flag", "high", "zh", """
黑鬼 黑蛆 黑猴子 尼哥 尼格 黑鬼滚 黑人都是艾滋 黑人身上有味 黑人是动物 黑人就是野兽 黑人强奸中国女人 黑人基因劣等
满狗 汉狗 鞑子 蒙古鞑子 回族都是土匪 维族小偷 新疆小偷 藏族都是农奴 少数民族都是刁民 少数民族都是强盗 少数民族加分不公滚
白皮猪 黄皮猴 黄皮猴子 犹太佬 犹太鬼 犹太人都是守财奴 犹太人都贪婪 吉普赛小偷 混血杂种 杂种 劣等种族 劣等民族
种族有高低 有色人种低等 白人才是高等种族 黄种人是劣等种族 黑人不配 黑人和狗不得入内 华人与狗不得入内
""")
hand("A.2.1", "evidence", "medium", "zh", "黑叔叔 老黑 回回 蛮子 南蛮 种族歧视 民族歧视 种族主义 白左 黑命贵")
hand("A.2.1", "flag", "high", "en", """
nigger; niggers; jigaboo; porch monkey; spearchucker; sand nigger; camel jockey; kike; kikes; zipperhead; slant-eye
half-breed mongrels; mud people; jungle bunny; tar baby; go back to the jungle; monkeys belong in zoos not schools
white power; white pride worldwide; blacks are genetically violent; race realism proves; niggers are animals
""")
hand("A.2.1", "evidence", "medium", "en", "nigga; coon; redskin; injun; spook; racism; racist; racial slur; gypsy")

# ---- A.2.2 religion -----------------------------------------------------------------------------------------------------
hand("A.2.2", "flag", "high", "zh", """
绿教徒 穆屎林 屎林猪 猪肉恐惧 绿绿滚 绿绿都是恐怖分子 伊斯兰是恐怖宗教 伊斯兰教就是邪教 古兰经是恐怖手册 禁止穆斯林入境
清真是邪恶 抵制清真 清真滚出中国 反清真 清真泛化就是入侵 基督狗 耶稣狗 信耶稣的都是傻子 佛教就是骗钱 和尚都是骗子 秃驴滚
信教的都是傻子 信宗教的都是蠢货 宗教都是精神病 犹太教是邪恶的 印度教徒是牛粪崇拜 烧毁古兰经 焚烧圣经 烧毁清真寺 砸寺庙
""")
hand("A.2.2", "evidence", "medium", "zh", "绿绿 绿教 屎林 耶棍 佛棍 秃驴 神棍 宗教歧视 清真 穆斯林 伊斯兰 邪教徒 异教徒")
hand("A.2.2", "flag", "high", "en", """
muzzie; muzzies; raghead; ragheads; towelhead; towelheads; goatfucker|goat fucker; christcuck; dothead; jewboy
islam is a cancer; islam is a religion of terror; ban the quran; burn the quran; burn down the mosque; bomb the mosque
all muslims should be deported; muslims out; christians are brainwashed idiots; religious people are retarded
""")
hand("A.2.2", "evidence", "medium", "en", "islamophobia; islamist; jihadi; infidel; bible thumper; religious discrimination")

# ---- A.2.3 nationality --------------------------------------------------------------------------------------------------
hand("A.2.3", "flag", "high", "zh", """
倭猪 日本猪 高丽棒子 韩国棒子 印度阿三 阿三哥 越南猴子 菲猴子 菲律宾猴子 洋垃圾滚 外国垃圾 美国猪 美猪滚 老毛子滚
毛子都是酒鬼 印度人都强奸 印度人都不洗澡 日本人都是变态 韩国人都整容 韩国人都是偷文化的 越南新娘都是骗婚 非洲人都有艾滋
外国人滚出中国 老外滚出去 洋鬼子滚 小日本去死 日本人都该死 美国人都该死 杀光日本人 杀光美国人 核平日本 核平美国
支那人都是 中国人吃狗 中国人都吃蝙蝠 中国人都是蝗虫 中国人都是偷渡客 中国佬滚
""")
hand("A.2.3", "evidence", "medium", "zh",
     "小日本 日本鬼子 鬼子 倭寇 棒子 阿三 三哥 美帝 美国佬 老毛子 毛子 洋鬼子 鬼佬 洋垃圾 国别歧视 排外 仇日 仇美 反日")
hand("A.2.3", "flag", "high", "en", """
chink; chinks; ching chong; gook; gooks; slant eyes; wetback; wetbacks; beaner; beaners; curry muncher; polack
paki scum; go back to China; go back to Mexico; go back to your country; build the wall keep them out
dog eaters; chinks eat dogs; immigrants are rats; illegals are animals; invaders from the south
""")
hand("A.2.3", "evidence", "medium", "en", "send them back; spic; jap; nip; kraut; limey; paki; xenophobia; illegal aliens; anti-immigrant")

# ---- A.2.4 region -------------------------------------------------------------------------------------------------------
hand("A.2.4", "flag", "high", "zh", """
河南人偷井盖 偷井盖的河南人 河南骗子 东北骗子 安徽要饭的 江西老俵都穷 甘肃吃不起饭 苏北佬 苏北猪 捞佬 捞仔 港狗 港灿 台巴子
大陆蝗虫 大陆人是蝗虫 阿陆仔 北佬滚 南蛮子 外地佬滚 外地人滚 穷山恶水出刁民 新疆人都是小偷 新疆人都是恐怖分子
农村人就是素质差 乡下人就是没素质 东北人都是黑社会 潮汕人都重男轻女 温州人都是奸商 莆田人都是骗子医院 上海人看不起外地人
北京人看不起外地人 河南人都偷东西 湖北人九头鸟 天上九头鸟地下湖北佬 广东人什么都吃 福建人都偷渡 四川人都是耙耳朵
""")
hand("A.2.4", "evidence", "medium", "zh", "地域黑 地图炮 地域歧视 外地佬 盲流 乡巴佬 北佬 港灿 蝗虫 陆巴 湾湾 九头鸟 偷井盖")
hand("A.2.4", "flag", "high", "en", "inbred hillbillies; redneck trash; white trash from the south; mainland locusts")

# ---- A.2.5 gender --------------------------------------------------------------------------------------------------------
hand("A.2.5", "flag", "high", "zh", """
女拳师 田园女权 女权婊 普信男 骚娘们 臭娘们 臭婆娘 贱女人 破鞋女 女人是附属品 生女儿是赔钱货 女人就是生孩子的工具
女人天生不适合 女人不适合当领导 女人不适合学理科 女司机马路杀手 女司机都是马路杀手 女人头发长见识短 女人就该被打
打老婆天经地义 老婆不打不听话 女人就是欠操 女人就欠收拾 女人说不就是要 强奸是女人自找的 穿得少活该被强奸
不招女性 只招男性 限男性 不招已婚未育女性 孕妇不录用 女性不予录用 怀孕就辞退 生孩子就开除 已婚已育优先
女博士是第三种人 剩女都是有问题 离过婚的女人是二手货 不是处女不要 非处勿扰 女人就是玩物 母狗调教女人
男人都是下半身动物 男人都不是好东西 男人没一个好东西 国男都是普信 国男配不上 男的都该阉了 阉割所有男人
""")
hand("A.2.5", "evidence", "medium", "zh", """
女拳 母狗 婊子 绿茶婊 心机婊 白莲花 拜金女 捞女 小仙女 国男 直男癌 妈宝男 渣男 娘们儿 贱货 破鞋 二手货 赔钱货
处女情结 女子无才便是德 重男轻女 男尊女卑 性别歧视 性别偏见 剩女 女司机 男权 女权
""")
hand("A.2.5", "flag", "high", "en", """
women belong in the kitchen; make me a sandwich woman; women are property; women shouldn't vote; feminazi; feminazis
femoid; femoids; foid; foids; roastie; roasties; stupid bitch; dumb broad; she was asking for it; women deserve to be raped
all women are whores; all women are sluts; women are objects; women are only good for sex; keep women barefoot and pregnant
a woman's place is in the home; women can't drive; women are too stupid for science; no women allowed in engineering
men only need apply; we don't hire pregnant women; fire her for being pregnant; all men are rapists; kill all men
""")
hand("A.2.5", "evidence", "medium", "en", "bitch; slut; whore; cunt; thot; sexism; sexist; misogyny; misandry; men are trash")

# ---- A.2.6 age -----------------------------------------------------------------------------------------------------------
hand("A.2.6", "flag", "high", "zh", """
老不死 老不死的东西 老逼登 老棺材瓤子 老棺材 坏人变老了 老年人都该死 老人都是坏人 老头子滚 老太婆滚 老东西去死
老人就该早点死 老人浪费医保 老人占用资源 老年人没有价值 老了就没用 中年人被淘汰活该 35岁就该被裁 过了35岁就是废物
超过35岁不要 中年油腻男都恶心 广场舞大妈都该死 碰瓷老人都活该
熊孩子都该打死 小屁孩都该死 00后都是脑残 90后都是垮掉的一代 年轻人都是废物 年轻人都是啃老族
""")
hand("A.2.6", "evidence", "medium", "zh", "年龄35岁以下 限35周岁以下 老东西 老登 老古董 倚老卖老 年龄歧视 35岁门槛 中年危机 老龄化 熊孩子 广场舞大妈")
hand("A.2.6", "flag", "high", "en", """
old geezer; old hag; old bag; senile old fool; too old to hire; no one over 40; we don't hire anyone over 50
old people should die already; boomers need to die off; let the old die; old people are a waste of resources
grandma should be put down; kids are vermin; teenagers are brain-dead
""")
hand("A.2.6", "evidence", "medium", "en", "ok boomer; boomer; ageism; age discrimination; geezer")

# ---- A.2.7 occupation ---------------------------------------------------------------------------------------------------
hand("A.2.7", "flag", "high", "zh", """
臭保安 外卖狗 快递狗 臭要饭的 臭打工的 打工狗 臭卖菜的 伺候人的下等人 服务员都是下人 当保姆的下贱 农民工别坐地铁
农民工身上臭 农民工不配 民工滚出 清洁工别坐 环卫工下等人 保安都是废物 保安是失败者 外卖员都是失败者 送外卖的没出息
干服务行业的下贱 演员都是戏子 戏子无义 主播都是卖的 网红都是整容婊 护士都是被包养的 女销售都是陪睡 城管都是流氓
程序员都是屌丝 码农都是屌丝 医生都是收红包的 老师都是收礼的 警察都是黑社会 公务员都是蛀虫
""")
hand("A.2.7", "evidence", "medium", "zh", "社畜 码农 臭老九 戏子 扫大街的 捡破烂的 搬砖的 下九流 低端人口 职业歧视")
hand("A.2.7", "flag", "high", "en", "burger flippers are losers; janitors are failures; hookers are trash; cops are pigs to kill")
hand("A.2.7", "evidence", "medium", "en", "pig cops; occupational discrimination; blue collar losers")

# ---- A.2.8 health / disability -----------------------------------------------------------------------------------------
hand("A.2.8", "flag", "high", "zh", """
智障儿 傻子滚 残疾人都该死 残废就该死 残疾人都是废物 不录用乙肝 乙肝携带者不予录用 乙肝不要 艾滋病都是活该 得艾滋活该
艾滋病人都该死 抑郁症就是矫情 抑郁症是装的 抑郁症就是作 精神病人都该关起来 精神病就该关起来 自闭症就是傻
唐氏儿就该打掉 残疾儿就该扔掉 聋哑人都是小偷 瞎子走路碍事 坐轮椅的别出门 残疾人别出门 侏儒是怪物 肥胖是懒惰
有病别出来害人 病秧子滚 传染病人滚出小区 新冠阳性滚出小区 阳了就该被赶走 康复者不录用 新冠康复者不要
""")
hand("A.2.8", "evidence", "medium", "zh", "脑残 残废 神经病 疯子 精神病 白痴 弱智 低能儿 瘸腿 乙肝歧视 健康歧视 残疾歧视 智障")
hand("A.2.8", "flag", "high", "en", """
retards; retarded people; spastic; spaz; mongoloid; window licker; cripples should die; the disabled should be gassed
autists are subhuman; gas the cripples; mentally ill people are dangerous animals; aids is god's punishment
""")
hand("A.2.8", "evidence", "medium", "en", "retard; retarded; cripple; tard; sped; psycho; lunatic; ableism; ableist")

# ---- A.2.9 other ----------------------------------------------------------------------------------------------------------
hand("A.2.9", "flag", "high", "zh", """
死基佬 同性恋是病 同性恋恶心 变态同性恋 二椅子 死娘炮 死gay 搞基恶心
拉拉恶心 变性人是怪物 变性人恶心 人妖恶心 死人妖 同性恋会得艾滋 同性恋都有艾滋 同性恋违反自然 同性恋是西方毒瘤
死胖子 死肥猪 肥婆 丑八怪滚 长得丑就别出门 胖子不配谈恋爱 矮子不配 矮矬穷活该 穷逼滚 穷鬼不配 穷人就是懒 穷人活该穷
农村人就是低等 凤凰男都是垃圾 专科生都是废物 学历低就是垃圾 二本生是垃圾 刑满释放的都是坏人 劳改犯不配 低保户都是懒汉
""")
hand("A.2.9", "evidence", "medium", "zh", """
同性恋矫正 同性恋矫正治疗 电击治疗同性恋 掰直治疗 基佬 人妖 娘炮 兔儿爷 同妻 搞基 肥猪 丑八怪 矮矬穷 矮子 乡巴佬 土包子 凤凰男 穷逼 穷鬼 屌丝 学历歧视 外貌歧视 身高歧视
""")
hand("A.2.9", "flag", "high", "en", """
faggot; faggots; fag; dyke; dykes; tranny; trannies; shemale; gays are pedophiles; gay people should be stoned
conversion therapy works; pray the gay away; trannies are mentally ill; fatass; fat pig; landwhale; ugly bitch
trailer trash; welfare queens; ghetto trash; poor people are lazy parasites
""")
hand("A.2.9", "evidence", "medium", "en", "homo; queer; sodomite; lardass; fatso; homophobia; transphobia; fat shaming")
