"""Word lists for the demo partnership. Every place, school and street is invented.

People's names are common English given names and surnames combined at random, so no
demo person is anyone real. Towns, streets and schools are made-up compounds; postcode
areas (RV, WX) are not used by Royal Mail.
"""


def _words(text: str) -> tuple[str, ...]:
    """Comma- or line-separated words, in order (the order matters for determinism)."""
    return tuple(word.strip() for line in text.splitlines() for word in line.split(",") if word.strip())


GIVEN_NAMES_FEMALE = _words(
    """
    Olivia, Amelia, Isla, Ava, Ivy, Freya, Lily, Florence, Mia, Willow, Rosie, Sophia, Isabella, Grace
    Daisy, Sienna, Poppy, Elsie, Emily, Ella, Evelyn, Phoebe, Sofia, Evie, Charlotte, Harper, Millie
    Matilda, Maya, Sophie, Alice, Emilia, Isabelle, Ruby, Luna, Maisie, Aria, Penelope, Mila, Bonnie
    Eva, Hallie, Eliza, Ada, Violet, Esme, Arabella, Imogen, Jessica, Delilah, Thea, Harriet, Chloe
    Orla, Layla, Zara, Hannah, Lucy, Aisha, Amira, Nadia, Priya, Leah, Megan, Holly, Niamh, Erin
    Kayla, Jade, Chelsea, Gemma, Natalie, Rebecca, Laura, Kirsty, Stacey, Danielle, Claire, Joanne
    Nicola, Sarah, Emma, Rachel, Louise, Kelly, Leanne, Amy, Katie, Lauren, Samantha
    """
)

GIVEN_NAMES_MALE = _words(
    """
    Noah, Oliver, George, Arthur, Muhammad, Leo, Harry, Oscar, Archie, Henry, Theodore, Freddie, Jack
    Charlie, Theo, Alfie, Jacob, Thomas, Finley, Arlo, William, Lucas, Roman, Tommy, Isaac, Teddy
    Alexander, Luca, Edward, James, Joshua, Albie, Elijah, Max, Mason, Reuben, Rory, Hugo, Ezra, Louie
    Jude, Sonny, Toby, Ethan, Ronnie, Frankie, Adam, Dylan, Elliot, Harrison, Samuel, Joseph, Daniel
    Ryan, Callum, Kyle, Liam, Connor, Jordan, Bradley, Ibrahim, Yusuf, Omar, Ravi, Arjun, Kacper
    Jakub, Mateo, Kai, Ellis, Lee, Craig, Wayne, Darren, Mark, Paul, Stephen, Gary, Jason, Scott
    Matthew, Christopher, Andrew, David, Michael, Richard, Simon, Neil, Carl, Dean
    """
)

FAMILY_NAMES = _words(
    """
    Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Patel, Robinson, Wright, Thompson
    Evans, Walker, White, Roberts, Green, Hall, Thomas, Clarke, Jackson, Wood, Harris, Edwards, Turner
    Martin, Cooper, Hill, Ward, Hughes, Moore, Clark, King, Harrison, Lewis, Baker, Lee, Allen, Morris
    Khan, Scott, Watson, Davis, Parker, James, Bennett, Young, Phillips, Richardson, Mitchell, Bailey
    Carter, Cook, Singh, Shaw, Bell, Collins, Morgan, Kelly, Begum, Miller, Cox, Hussain, Marshall
    Simpson, Price, Anderson, Adams, Wilkinson, Ali, Ahmed, Foster, Ellis, Murphy, Chapman, Mason
    Gray, Richards, Webb, Griffiths, Hunt, Palmer, Campbell, Holmes, Mills, Rogers, Barnes, Knight
    Matthews, Barker, Powell, Stevens, Kaur, Fisher, Butler, Dixon, Russell, Harvey, Pearson, Graham
    Fletcher, Lawson, Atkinson, Brooks, Sutton, Hartley, Pickering, Whitaker, Ashworth, Kowalski
    Nowak, Okafor, Mensah, Nguyen, Da Silva, Osei, Ferreira, Rahman, Chowdhury, Popescu, Lindqvist
    Thornton, Booth, Crossley, Haigh, Sykes, Holroyd, Dawson, Kershaw, Brennan
    """
)

NICKNAMES = {
    "Jessica": "Jess",
    "Samantha": "Sam",
    "Rebecca": "Becky",
    "Danielle": "Dani",
    "Natalie": "Nat",
    "Christopher": "Chris",
    "Matthew": "Matt",
    "Michael": "Mike",
    "Richard": "Rick",
    "Andrew": "Andy",
    "Daniel": "Danny",
    "Joseph": "Joe",
    "Stephen": "Steve",
    "Samuel": "Sam",
    "Joshua": "Josh",
    "William": "Billy",
    "Thomas": "Tom",
    "Edward": "Ed",
    "Alexander": "Alex",
    "Elizabeth": "Liz",
}

PARTNERSHIP_NAME = "Riverside and Wolds Safeguarding Children Partnership"
PARTNERSHIP_SHORT_NAME = "Riverside and Wolds"
EMAIL_DOMAIN = "riverside-wolds.example"

# (LA code, council name, short name, postcode area, first postcode district, towns)
LOCAL_AUTHORITIES = (
    ("990", "Riverside City Council", "Riverside", "RV", 1, ("Riverside", "Kestrelford", "Ashmere Quay")),
    ("991", "Hollinsby Borough Council", "Hollinsby", "RV", 10, ("Hollinsby", "Orrelton", "Brackenwick")),
    ("992", "North Wolds Council", "North Wolds", "WX", 1, ("Wolderby", "Thrushcombe", "Harlingsea", "Cotterwold")),
    ("993", "Vale of Wendmoor Council", "Wendmoor", "WX", 20, ("Wendmoor", "Fennimore Cross", "Saltinghay")),
)
# Household share per authority, in the order above.
LOCAL_AUTHORITY_WEIGHTS = (35, 22, 23, 20)

STREET_STEMS = _words(
    """
    Alder, Ash, Badger, Beech, Birch, Bramble, Brook, Buttercup, Cedar, Chestnut, Clover, Coppice
    Cowslip, Damson, Elm, Fern, Fieldfare, Foxglove, Gorse, Hawthorn, Hazel, Heather, Holly, Juniper
    Kingfisher, Laburnum, Lapwing, Larch, Linnet, Maple, Meadow, Mill, Nightingale, Oak, Orchard
    Osprey, Otter, Plover, Poplar, Primrose, Quarry, Rowan, Saddler, Sandpiper, Skylark, Sorrel
    Spinney, Swallow, Sycamore, Tanner, Teasel, Thistle, Wagtail, Walnut, Weaver, Wheelwright, Willow
    Wren, Yarrow, Yew, Bridge, Chapel, Church, Dyke, Ferry, Forge, Granary, Harbour, Lock, Malthouse
    Market, Ropewalk, School, Station, Tannery, Water, Wharf, Windmill, Pinfold, Tithe
    """
)
STREET_SUFFIXES = _words(
    """
    Road, Street, Lane, Avenue, Close, Drive, Way, Grove, Crescent, Gardens, Walk, Court, Terrace
    Rise, Mews, View, Place, Green, Row, Fold
    """
)

SCHOOL_STEMS = _words(
    """
    Alderbrook, Ashgrove, Badgerholt, Beckside, Birchfield, Bramblehurst, Brookvale, Burnside
    Castlegate, Cedarwood, Chantry Fields, Cloverdale, Copperbeech, Crossgates, Damsonwood, Dunnock
    Elmstead, Fairholme, Fernlea, Fieldway, Foxhollow, Glebelands, Greenacre, Hawthorn Bank, Hazelmere
    Heatherside, Highcroft, Hollybush, Kingsmead, Lark Rise, Lindenhall, Longmeadow, Maplecroft
    Marshlands, Meadowbank, Millstream, Moorfield, Northgate, Oakhurst, Orchard Lea, Oxbow
    Pennyfields, Pinewood Vale, Quayside, Ravenscliffe, Redbrook, Ridgeway, Rowanfield, Saltmarsh
    Sandholme, Silverdale Park, Skylarks, Southfield, Springbank, Stonebridge, Sunnyholme, Swanpool
    Thornbury Vale, Tollgate, Upperfield, Waterside, Westbrook, Whinmoor, Willowbank, Windrush
    Woodlands, Wrenfield, Yewtree, Kestrel Heath, Otterburn Mill, Lapwing Fields, Heronsgate
    """
)
SAINTS = _words(
    """
    Aidan, Anne, Bede, Chad, Cuthbert, Edmund, Helen, Hilda, John, Joseph, Lawrence, Margaret, Mark
    Mary, Michael, Oswald, Patrick, Peter, Wilfrid, Thomas
    """
)

# (username, role code, given name, family name, job title)
DEMO_STAFF = (
    ("hub.practitioner", "hub_practitioner", "Priya", "Hallam", "Senior practitioner, Children's Hub"),
    ("social.worker", "social_worker", "Tomasz", "Ridley", "Social worker"),
    ("team.manager", "team_manager", "Bernadette", "Ackroyd", "Team manager, Child Protection"),
    ("police.officer", "police_officer", "Callum", "Fairweather", "Detective Constable"),
    ("police.supervisor", "police_supervisor", "Yasmin", "Okonjo", "Detective Sergeant"),
    ("health.practitioner", "health_practitioner", "Gwen", "Tallis", "Named Nurse for Safeguarding Children"),
    ("school.dsl", "dsl", "Martin", "Pellow", "Deputy headteacher and designated safeguarding lead"),
    ("partnership.analyst", "partnership_analyst", "Anjali", "Verity", "Performance and quality analyst"),
    ("partnership.manager", "partnership_manager", "Graham", "Whitlock", "Safeguarding partnership business manager"),
    ("privacy.officer", "privacy_officer", "Declan", "Moorcroft", "Data protection officer"),
    ("encompass.coordinator", "encompass_coordinator", "Rhiannon", "Dewhurst", "Operation Encompass coordinator"),
    ("missing.coordinator", "missing_coordinator", "Femi", "Adeyemi", "Missing and exploitation coordinator"),
    ("rhi.worker", "rhi_worker", "Lucy", "Marchbank", "Return home interview worker"),
    ("disclosure.officer", "disclosure_officer", "Owen", "Tregarthen", "Disclosure officer"),
    ("disclosure.supervisor", "disclosure_supervisor", "Helen", "Abernethy", "Disclosure unit supervisor"),
    ("system.admin", "system_admin", "Ruth", "Cattermole", "SafeHub system administrator"),
)
